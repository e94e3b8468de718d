//! The network: each message takes `|N(mean, sd)|` milliseconds, as in the AWS simulator.

use persevere::Rng;

/// Message delays drawn from `|N(mean, sd)|`, in milliseconds.
///
/// ```
/// use persevere_sim::net::Net;
///
/// let mut net = Net::brooker(7);
/// let d = net.delay();
/// assert!(d >= 0.0 && d < 30.0);
/// ```
#[derive(Debug, Clone)]
pub struct Net {
    mean: f64,
    sd: f64,
    rng: Rng,
}

impl Net {
    /// A network with the given mean and standard deviation (ms), seeded.
    pub fn new(mean: f64, sd: f64, seed: u64) -> Self {
        Net {
            mean,
            sd,
            rng: Rng::seeded(seed),
        }
    }

    /// The blog's network: mean 10 ms, standard deviation 2 ms.
    pub fn brooker(seed: u64) -> Self {
        Net::new(10.0, 2.0, seed)
    }

    /// One message's delay in milliseconds.
    pub fn delay(&mut self) -> f64 {
        (self.mean + self.sd * standard_normal(&mut self.rng)).abs()
    }
}

/// A standard normal draw (Box-Muller; one of the pair is dropped to keep no state).
pub fn standard_normal(rng: &mut Rng) -> f64 {
    // 1 - u is in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - rng.next_f64();
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_have_the_blogs_mean_and_spread() {
        let mut net = Net::brooker(3);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| net.delay()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 10.0).abs() < 0.05, "mean {mean}");
        assert!((var.sqrt() - 2.0).abs() < 0.05, "sd {}", var.sqrt());
    }
}
