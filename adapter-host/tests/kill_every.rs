//! `kill_every_adapter`: a process that must exit at once (a second
//! Ctrl-C) ends every adapter it started, grandchildren included, without
//! dropping the values that own them. Its own test binary: the registry
//! is process-wide, and other tests' adapters must not be in it.

mod common;

use adapter_host::kill_every_adapter;
use adapter_protocol::Config;
use common::{bounded, fake, soon, wait_for_stderr};
use testkit::assert_gone;

#[tokio::test]
async fn kill_every_adapter_ends_each_live_group_and_forgets_dropped_ones() {
    bounded(async {
        let dropped = fake("good");
        drop(dropped);
        let mut adapters = Vec::new();
        for _ in 0..2 {
            let mut adapter = fake("spawn-grandchild");
            adapter
                .hello(1, Config::default(), soon(5000))
                .await
                .unwrap();
            let grandchild = wait_for_stderr(&adapter, "grandchild pid ").await;
            let pid = adapter.pid().unwrap();
            adapters.push((adapter, pid, grandchild));
        }
        // The dropped adapter is no longer counted.
        assert_eq!(kill_every_adapter(), 2);
        for (_adapter, pid, grandchild) in &adapters {
            assert_gone(*pid).await;
            assert_gone(*grandchild).await;
        }
    })
    .await;
}
