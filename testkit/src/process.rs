//! Whether a process is alive, and waiting (bounded) until it is gone: a
//! killed process is reaped asynchronously, by tokio or by init.

use std::time::Duration;

/// How long a killed process may take to disappear.
pub const GONE_BUDGET: Duration = Duration::from_secs(5);

/// Whether `pid` is a live process: not gone, not a zombie (Linux `/proc`).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// The live processes (not zombies) whose command line holds `marker`.
pub fn processes_with(marker: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(marker) && alive(*pid)
        })
        .collect()
}

/// The exit code of `command` (-1 when a signal ended it) and what it
/// wrote, stdout then stderr.
pub fn output(command: &mut std::process::Command) -> (i32, String) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} runs: {e}"));
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

/// Waits (at most [`GONE_BUDGET`]) until `pid` is no longer a live
/// process; panics, naming it, when it still is.
pub async fn assert_gone(pid: u32) {
    let deadline = tokio::time::Instant::now() + GONE_BUDGET;
    while alive(pid) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "process {pid} is still alive"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// [`assert_gone`] outside a runtime: blocks the thread while it waits.
pub fn assert_gone_blocking(pid: u32) {
    let deadline = std::time::Instant::now() + GONE_BUDGET;
    while alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} outlived the run"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        assert!(alive(std::process::id()));
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("`true` runs");
        let pid = child.id();
        child.wait().expect("`true` ends");
        assert!(!alive(pid));
        assert_gone_blocking(pid);
        let marker = format!("{}", std::process::id());
        assert!(processes_with(&format!("testkit-no-such-marker-{marker}")).is_empty());
        let (code, text) =
            output(std::process::Command::new("sh").args(["-c", "echo out; echo err >&2; exit 4"]));
        assert_eq!((code, text.as_str()), (4, "out\nerr\n"));
    }
}
