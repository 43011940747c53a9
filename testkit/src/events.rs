//! Taking events until nothing more comes: for tests that check everything
//! an implementation delivers, not only what they wait for.

use std::future::Future;
use std::time::Duration;

/// Every item `next` gives until it gives none within `quiet` (the
/// pending `next` is then dropped).
pub async fn until_quiet<T, F, Fut>(quiet: Duration, mut next: F) -> Vec<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let mut items = Vec::new();
    while let Ok(item) = tokio::time::timeout(quiet, next()).await {
        items.push(item);
    }
    items
}

/// `first`, then `more`: a list of expected events built in order.
pub fn then<T>(mut first: Vec<T>, more: impl IntoIterator<Item = T>) -> Vec<T> {
    first.extend(more);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn takes_what_comes_then_stops_at_the_quiet_spell() {
        let mut left = vec![3, 2, 1];
        let items = until_quiet(Duration::from_millis(20), || {
            let next = left.pop();
            async move {
                match next {
                    Some(n) => n,
                    None => std::future::pending().await,
                }
            }
        })
        .await;
        assert_eq!(items, vec![1, 2, 3]);
        assert_eq!(then(items, [4]), vec![1, 2, 3, 4]);
    }
}
