//! Several guards as one: a pair or a triple of budgets is a budget.
//!
//! Each member hears every event, in order. A retry (or a gated first attempt) is granted when
//! every member grants it: the members are asked in order, the first refusal ends the asking
//! and gives the call its reason, and the members that had granted it get their grant back
//! ([`Budget::refund`]), since the attempt will not start. What each member granted travels in
//! the combination's [`Withdrawal`], 21 bits per member (saturating at 2,097,151 units, that is
//! 2,097 retries or tokens in the thousandths that `RatioBudget` and `TokenBucket` count), so
//! that a success returns to each member what it granted.

use super::{Budget, RetryCause, Withdrawal};
use crate::GiveUpReason;
use std::time::{Duration, Instant};

const BITS: u32 = 21;
const MASK: u64 = (1 << BITS) - 1;

/// Member `i`'s part of a combination's withdrawal.
#[inline]
fn part(w: Withdrawal, i: u32) -> Withdrawal {
    Withdrawal::new((w.amount() >> (BITS * i)) & MASK)
}

#[inline]
fn pack(parts: &[Withdrawal]) -> Withdrawal {
    let amount = parts.iter().enumerate().fold(0, |acc, (i, w)| {
        acc | (w.amount().min(MASK) << (BITS * i as u32))
    });
    Withdrawal::new(amount)
}

macro_rules! combine {
    ($($member:ident $index:tt),+) => {
        impl<$($member: Budget),+> Budget for ($($member,)+) {
            #[inline]
            fn on_call(&self, now: Instant) {
                $(self.$index.on_call(now);)+
            }

            #[inline]
            fn on_failure(&self, cause: RetryCause, now: Instant) {
                $(self.$index.on_failure(cause, now);)+
            }

            #[inline]
            fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
                self.try_withdraw(cause, now).ok()
            }

            #[inline]
            fn try_withdraw(
                &self,
                cause: RetryCause,
                now: Instant,
            ) -> Result<Withdrawal, GiveUpReason> {
                let mut granted = [Withdrawal::new(0); 3];
                $(
                    match self.$index.try_withdraw(cause, now) {
                        Ok(w) => granted[$index] = w,
                        Err(reason) => {
                            self.give_back(&granted, $index, now);
                            return Err(reason);
                        }
                    }
                )+
                Ok(pack(&granted))
            }

            #[inline]
            fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
                let mut granted = [Withdrawal::new(0); 3];
                $(
                    match self.$index.admit_call(now) {
                        Ok(w) => granted[$index] = w,
                        Err(reason) => {
                            self.give_back(&granted, $index, now);
                            return Err(reason);
                        }
                    }
                )+
                Ok(pack(&granted))
            }

            #[inline]
            fn refund(&self, granted: Withdrawal, now: Instant) {
                $(self.$index.refund(part(granted, $index), now);)+
            }

            #[inline]
            fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
                $(self.$index.on_success(last.map(|w| part(w, $index)), now);)+
            }

            #[inline]
            fn attempt_ended(&self, failed: bool, ran: Duration, now: Instant) {
                $(self.$index.attempt_ended(failed, ran, now);)+
            }
        }

        impl<$($member: Budget),+> GiveBack for ($($member,)+) {
            /// Refunds the members before `refused`.
            #[inline]
            fn give_back(&self, granted: &[Withdrawal; 3], refused: usize, now: Instant) {
                $(
                    if $index < refused {
                        self.$index.refund(granted[$index], now);
                    }
                )+
            }
        }
    };
}

/// The refunds of a combination whose member `refused` said no.
trait GiveBack {
    fn give_back(&self, granted: &[Withdrawal; 3], refused: usize, now: Instant);
}

combine!(A 0, B 1);
combine!(A 0, B 1, C 2);

/// A budget that does not gate first attempts, beside a gate that does (a policy with both a
/// [`budget`](crate::Policy::budget) and a [`gate`](crate::Policy::gate)).
pub(crate) struct RetriesOnly<B>(pub(crate) B);

impl<B: Budget> Budget for RetriesOnly<B> {
    #[inline]
    fn on_call(&self, now: Instant) {
        self.0.on_call(now);
    }

    #[inline]
    fn on_failure(&self, cause: RetryCause, now: Instant) {
        self.0.on_failure(cause, now);
    }

    #[inline]
    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        self.0.withdraw(cause, now)
    }

    #[inline]
    fn try_withdraw(&self, cause: RetryCause, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.0.try_withdraw(cause, now)
    }

    #[inline]
    fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.0.on_call(now);
        Ok(Withdrawal::new(0))
    }

    #[inline]
    fn refund(&self, granted: Withdrawal, now: Instant) {
        // Only what `try_withdraw` granted comes back: `admit_call` granted nothing.
        if granted.amount() > 0 {
            self.0.refund(granted, now);
        }
    }

    #[inline]
    fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
        self.0.on_success(last, now);
    }

    #[inline]
    fn attempt_ended(&self, failed: bool, ran: Duration, now: Instant) {
        self.0.attempt_ended(failed, ran, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawals_pack_per_member_and_saturate() {
        let w = pack(&[
            Withdrawal::new(5_000),
            Withdrawal::new(0),
            Withdrawal::new(u64::MAX),
        ]);
        assert_eq!(part(w, 0).amount(), 5_000);
        assert_eq!(part(w, 1).amount(), 0);
        assert_eq!(part(w, 2).amount(), MASK);
    }
}
