//! Reconnect delays: 0.5 s doubling to a 30 s cap, each randomised down to half ("equal
//! jitter") so a server restart is not met by every client in the same millisecond.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub const BASE_MS: u32 = 500;
    pub const CAP_MS: u32 = 30_000;

    /// The delay for the next attempt; `rand` is in `[0, 1)`.
    pub fn next_delay(&mut self, rand: f64) -> u32 {
        let ceiling = Self::CAP_MS.min(Self::BASE_MS.saturating_mul(1 << self.attempt.min(16)));
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        half + (f64::from(half) * rand.clamp(0.0, 1.0)) as u32
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_with_jitter_up_to_the_cap() {
        let mut b = Backoff::default();
        assert_eq!(b.next_delay(0.0), 250);
        assert_eq!(b.next_delay(0.999_999), 999);
        assert_eq!(b.next_delay(0.0), 1000);
        for _ in 0..20 {
            assert!(b.next_delay(0.5) <= Backoff::CAP_MS);
        }
        assert_eq!(b.next_delay(0.0), Backoff::CAP_MS / 2, "capped");
        b.reset();
        assert_eq!(b.next_delay(1.0), 500);
    }
}
