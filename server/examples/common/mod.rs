//! What the benchmarks share.

#[allow(dead_code)]
/// A memory figure of a process, in kB, from `/proc/{pid}/status`
/// (`VmRSS:` now, `VmHWM:` at its peak); 0 when it cannot be read.
pub fn memory_kb(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

pub mod traffic;
