//! Sharding a run across machines: `--partition K/N` keeps the K-th of N
//! disjoint parts of the selected scenarios, decided by scenario id alone,
//! so N machines given 1/N … N/N run every scenario exactly once.
//!
//! The syntax is nextest's: `count:K/N` deals the scenarios, sorted by
//! trial name (`<area>::<id>`), round-robin (the parts differ in size by at
//! most one; adding a scenario may move others to another part);
//! `hash:K/N` puts each scenario in the part its trial name hashes to (a
//! scenario stays in its part whatever else is added; the parts are only
//! roughly equal). A plain `K/N` is `count:K/N`.

use std::fmt;
use std::str::FromStr;

/// How scenarios are dealt into parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKind {
    /// Round-robin over the sorted selection.
    Count,
    /// By a stable hash of the trial name.
    Hash,
}

/// One part of N: `shard` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// How scenarios are dealt.
    pub kind: PartitionKind,
    /// Which part (1 ..= `total`).
    pub shard: u64,
    /// How many parts.
    pub total: u64,
}

impl Partition {
    /// Whether the scenario named `trial`, at `index` in the sorted
    /// selection, is in this part.
    pub fn contains(&self, index: usize, trial: &str) -> bool {
        let slot = match self.kind {
            PartitionKind::Count => index as u64 % self.total,
            PartitionKind::Hash => fnv1a(trial.as_bytes()) % self.total,
        };
        slot + 1 == self.shard
    }

    /// The items of `sorted` (sorted by trial name, which `trial` gives)
    /// in this part, in their order.
    pub fn keep<T>(&self, sorted: Vec<T>, trial: impl Fn(&T) -> String) -> Vec<T> {
        sorted
            .into_iter()
            .enumerate()
            .filter(|(index, item)| self.contains(*index, &trial(item)))
            .map(|(_, item)| item)
            .collect()
    }
}

/// 64-bit FNV-1a: small, and the same on every platform and Rust release
/// (std's hasher promises neither), so a scenario's part never moves.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PartitionKind::Count => "count",
            PartitionKind::Hash => "hash",
        };
        write!(f, "{kind}:{}/{}", self.shard, self.total)
    }
}

/// Why a `--partition` value does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("partition `{text}`: {reason} (expected K/N, count:K/N or hash:K/N with 1 <= K <= N)")]
pub struct PartitionError {
    text: String,
    reason: &'static str,
}

impl FromStr for Partition {
    type Err = PartitionError;

    fn from_str(text: &str) -> Result<Partition, PartitionError> {
        let err = |reason| PartitionError {
            text: text.to_string(),
            reason,
        };
        let (kind, rest) = match text.split_once(':') {
            Some(("count", rest)) => (PartitionKind::Count, rest),
            Some(("hash", rest)) => (PartitionKind::Hash, rest),
            Some(_) => return Err(err("unknown kind")),
            None => (PartitionKind::Count, text),
        };
        let (shard, total) = rest.split_once('/').ok_or_else(|| err("no `/`"))?;
        let number = |s: &str| s.trim().parse::<u64>().map_err(|_| err("not a number"));
        let (shard, total) = (number(shard)?, number(total)?);
        if total == 0 || shard == 0 || shard > total {
            return Err(err("K out of range"));
        }
        Ok(Partition { kind, shard, total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("area::scenario-{i:03}")).collect()
    }

    #[test]
    fn the_syntax_is_nextests() {
        let p: Partition = "2/3".parse().unwrap();
        assert_eq!((p.kind, p.shard, p.total), (PartitionKind::Count, 2, 3));
        assert_eq!(
            "count:1/1".parse::<Partition>().unwrap().to_string(),
            "count:1/1"
        );
        assert_eq!(
            "hash:4/5".parse::<Partition>().unwrap().kind,
            PartitionKind::Hash
        );
        for bad in ["", "3", "0/3", "4/3", "1/0", "a/3", "slice:1/3", "1/3/4"] {
            let e = bad.parse::<Partition>().unwrap_err();
            assert!(e.to_string().contains("expected K/N"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_parts_cover_every_scenario_exactly_once() {
        for kind in ["count", "hash"] {
            for total in 1..=7u64 {
                let all = names(40);
                let mut seen: Vec<String> = Vec::new();
                let mut sizes = Vec::new();
                for shard in 1..=total {
                    let p: Partition = format!("{kind}:{shard}/{total}").parse().unwrap();
                    let part = p.keep(all.clone(), Clone::clone);
                    sizes.push(part.len());
                    seen.extend(part);
                }
                seen.sort();
                assert_eq!(seen, all, "{kind} {total}");
                if kind == "count" {
                    let (min, max) = (sizes.iter().min(), sizes.iter().max());
                    assert!(max.unwrap() - min.unwrap() <= 1, "{sizes:?}");
                }
            }
        }
    }

    #[test]
    fn a_hash_part_does_not_move_when_scenarios_are_added() {
        let p: Partition = "hash:2/3".parse().unwrap();
        let before = p.keep(names(30), Clone::clone);
        let after = p.keep(names(60), Clone::clone);
        assert!(before.iter().all(|n| after.contains(n)));
        // The hash is FNV-1a's published function (its test vectors), so
        // a scenario's part is the same on every platform and release.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
