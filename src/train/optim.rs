//! Update rules (SGD, Adagrad, Adam), shared by the sparse optimizer of the
//! embedding and the dense one of the classifier's linear layer.
//!
//! Each rule is PyTorch's, operation for operation in float32 (the constants
//! derived from the step count in float64, as Python computes them):
//!
//! | rule | [`SparseOptimizer`](super::SparseOptimizer) | [`DenseOptimizer`] |
//! | --- | --- | --- |
//! | SGD | `torch.optim.SGD` with a sparse gradient | `torch.optim.SGD` |
//! | Adagrad | `torch.optim.Adagrad` with a sparse gradient | `torch.optim.Adagrad` |
//! | Adam | `torch.optim.SparseAdam` | `torch.optim.Adam` |
//!
//! The two Adams differ only in where `eps` goes (see [`Method::Adam`]), which
//! matters when `sqrt(v)` is small: early steps and tiny gradients.

use crate::error::{Dims, Error, Result};

/// The largest learning rate [`OptimConfig::check`] accepts. No optimizer here
/// converges with steps this large; a larger rate (a slip such as `1e30`) makes
/// the first updates overflow and every weight NaN.
pub const MAX_LEARNING_RATE: f32 = 1e6;

/// An update rule and its constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// `w -= lr * g`.
    Sgd,
    /// PyTorch's Adagrad: `s += g²; w -= lr * g / (sqrt(s) + eps)`.
    Adagrad {
        /// Added to the root of the sum (PyTorch default `1e-10`).
        eps: f32,
        /// Starting value of the sums (PyTorch default `0`).
        initial_accumulator: f32,
    },
    /// Adam, with `t` the step count (from 1):
    /// `m += (1 - β1)(g - m); v = β2 v + (1 - β2) g²`, then
    /// - in a [`DenseOptimizer`], `torch.optim.Adam`'s form, `eps` added after the
    ///   bias correction:
    ///   `w -= lr / (1 - β1ᵗ) * m / (sqrt(v) / sqrt(1 - β2ᵗ) + eps)`;
    /// - in a [`SparseOptimizer`](super::SparseOptimizer), `torch.optim.SparseAdam`'s
    ///   form, `eps` added before it, and only the gradient's rows updated:
    ///   `w -= lr * sqrt(1 - β2ᵗ) / (1 - β1ᵗ) * (m / (sqrt(v) + eps))`.
    Adam {
        /// β1 (default `0.9`).
        beta1: f32,
        /// β2 (default `0.999`).
        beta2: f32,
        /// eps (default `1e-8`).
        eps: f32,
    },
}

/// An update rule with its learning rate.
///
/// ```
/// use pretrained_vectors::train::{Method, OptimConfig};
/// let c = OptimConfig::adam(1e-3);
/// assert!(matches!(c.method, Method::Adam { beta1, .. } if beta1 == 0.9));
/// assert!(OptimConfig::sgd(-1.0).check().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimConfig {
    /// The rule.
    pub method: Method,
    /// The learning rate (finite, > 0).
    pub lr: f32,
}

impl OptimConfig {
    /// Plain SGD.
    pub fn sgd(lr: f32) -> Self {
        OptimConfig {
            method: Method::Sgd,
            lr,
        }
    }

    /// Adagrad with PyTorch's defaults (`eps = 1e-10`, sums start at 0).
    pub fn adagrad(lr: f32) -> Self {
        OptimConfig {
            method: Method::Adagrad {
                eps: 1e-10,
                initial_accumulator: 0.0,
            },
            lr,
        }
    }

    /// Adam with PyTorch's defaults (`β = (0.9, 0.999)`, `eps = 1e-8`).
    pub fn adam(lr: f32) -> Self {
        OptimConfig {
            method: Method::Adam {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
            },
            lr,
        }
    }

    /// Checks the constants.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a learning rate that is not in
    /// `(0, MAX_LEARNING_RATE]`, a
    /// β outside `[0, 1)`, or an eps or initial accumulator that is negative or not
    /// finite.
    pub fn check(&self) -> Result<()> {
        let bad =
            |option: &'static str, message: String| Err(Error::InvalidOption { option, message });
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= MAX_LEARNING_RATE) {
            return bad(
                "learning rate",
                format!(
                    "{} (expected a number > 0 and at most {MAX_LEARNING_RATE:e}: past that \
                     every step overflows to NaN)",
                    self.lr
                ),
            );
        }
        let nonneg = |x: f32| x.is_finite() && x >= 0.0;
        match self.method {
            Method::Sgd => {}
            Method::Adagrad {
                eps,
                initial_accumulator,
            } => {
                if !nonneg(eps) || !nonneg(initial_accumulator) {
                    return bad(
                        "adagrad",
                        format!("eps {eps}, initial accumulator {initial_accumulator} (expected finite numbers >= 0)"),
                    );
                }
            }
            Method::Adam { beta1, beta2, eps } => {
                if !(nonneg(beta1) && beta1 < 1.0 && nonneg(beta2) && beta2 < 1.0) {
                    return bad(
                        "adam betas",
                        format!("({beta1}, {beta2}) (expected each in [0, 1))"),
                    );
                }
                if !nonneg(eps) {
                    return bad("adam eps", format!("{eps} (expected a finite number >= 0)"));
                }
            }
        }
        Ok(())
    }

    /// Applies one update to `w` with gradient `g`; `state` is the row's state
    /// (empty for SGD, the sums for Adagrad, `m` then `v` for Adam), `t` the
    /// Adam step count (from 1) and `form` which PyTorch Adam to follow.
    #[inline]
    pub(super) fn update(
        &self,
        form: AdamForm,
        factor: f32,
        t: u64,
        w: &mut [f32],
        g: &[f32],
        state: &mut [f32],
    ) {
        let lr = self.lr * factor;
        let (s1, s2) = state.split_at_mut(state.len().min(w.len()));
        match self.method {
            Method::Sgd => {
                for (w, &g) in w.iter_mut().zip(g) {
                    *w -= lr * g;
                }
            }
            Method::Adagrad { eps, .. } => {
                for ((w, &g), s) in w.iter_mut().zip(g).zip(s1) {
                    *s += g * g;
                    *w -= lr * g / (s.sqrt() + eps);
                }
            }
            Method::Adam { beta1, beta2, eps } => {
                let t = t.min(i32::MAX as u64) as i32;
                let bc1 = 1.0 - f64::from(beta1).powi(t);
                let bc2 = 1.0 - f64::from(beta2).powi(t);
                let (k1, k2) = (
                    (1.0 - f64::from(beta1)) as f32,
                    (1.0 - f64::from(beta2)) as f32,
                );
                let moments = s1.iter_mut().zip(s2.iter_mut());
                match form {
                    AdamForm::Dense => {
                        // exp_avg.lerp_(g, 1 - β1); exp_avg_sq.mul_(β2).addcmul_(g, g, 1 - β2);
                        // denom = sqrt(exp_avg_sq) / sqrt(bc2) + eps; p.addcdiv_(m, denom, -lr / bc1)
                        let step = (f64::from(lr) / bc1) as f32;
                        let bc2_sqrt = bc2.sqrt() as f32;
                        for ((w, &g), (m, v)) in w.iter_mut().zip(g).zip(moments) {
                            *m += k1 * (g - *m);
                            *v = *v * beta2 + k2 * g * g;
                            *w += -step * *m / (v.sqrt() / bc2_sqrt + eps);
                        }
                    }
                    AdamForm::Sparse => {
                        // m += (g - m)(1 - β1); v += (g² - v)(1 - β2);
                        // p += -(lr sqrt(bc2) / bc1) * (m / (sqrt(v) + eps))
                        let step = (f64::from(lr) * bc2.sqrt() / bc1) as f32;
                        for ((w, &g), (m, v)) in w.iter_mut().zip(g).zip(moments) {
                            *m += (g - *m) * k1;
                            *v += (g * g - *v) * k2;
                            *w += -step * (*m / (v.sqrt() + eps));
                        }
                    }
                }
            }
        }
    }

    /// How many state values the method keeps per weight, and their start.
    pub(super) fn state_shape(&self) -> (usize, f32) {
        match self.method {
            Method::Sgd => (0, 0.0),
            Method::Adagrad {
                initial_accumulator,
                ..
            } => (1, initial_accumulator),
            Method::Adam { .. } => (2, 0.0),
        }
    }
}

/// Which PyTorch Adam an update follows (see [`Method::Adam`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AdamForm {
    /// `torch.optim.Adam`.
    Dense,
    /// `torch.optim.SparseAdam`.
    Sparse,
}

/// An optimizer for one dense parameter (the classifier's linear layer): SGD,
/// Adagrad or Adam as `torch.optim.SGD`, `Adagrad` and `Adam` (see
/// [`Method::Adam`] for the form of Adam). Every [`step`](Self::step) counts as
/// one Adam step.
#[derive(Debug, Clone)]
pub struct DenseOptimizer {
    config: OptimConfig,
    len: usize,
    /// The state vectors, one after the other (`m` then `v` for Adam).
    state: Vec<f32>,
    steps: u64,
}

impl DenseOptimizer {
    /// An optimizer for a parameter of `len` values.
    ///
    /// # Errors
    /// As [`OptimConfig::check`].
    pub fn new(config: OptimConfig, len: usize) -> Result<Self> {
        config.check()?;
        let (n, init) = config.state_shape();
        Ok(DenseOptimizer {
            config,
            len,
            state: vec![init; n * len],
            steps: 0,
        })
    }

    /// Applies `grad` to `params`.
    ///
    /// # Errors
    /// [`Error::Shape`] when the lengths differ from the optimizer's.
    pub fn step(&mut self, params: &mut [f32], grad: &[f32]) -> Result<()> {
        let len = self.len;
        if params.len() != len || grad.len() != len {
            return Err(Error::Shape {
                what: "dense parameter and gradient",
                expected: Dims::count(len, "values each (the optimizer's)"),
                found: if params.len() != len {
                    Dims::count(params.len(), "parameter values")
                } else {
                    Dims::count(grad.len(), "gradient values")
                },
            });
        }
        self.steps += 1;
        self.config.update(
            AdamForm::Dense,
            1.0,
            self.steps,
            params,
            grad,
            &mut self.state,
        );
        Ok(())
    }
}
