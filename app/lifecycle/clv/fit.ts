/**
 * Maximum-likelihood fitting shared by every model here (BG/NBD, MBG/NBD, Gamma-Gamma): positive parameters are
 * optimised in log space inside a box by the deterministic Nelder–Mead of ./optimize, on the mean negative
 * log-likelihood (so tolerances do not depend on the number of customers), and the result carries the diagnostics
 * the data-sufficiency gate judges. Same input → same output, bit for bit.
 *
 * Pure module: no I/O, no clock.
 */
import { minimize, newtonPolish, type MinimizeResult } from "./optimize";

export interface ModelFitOptions {
  /** Box for every parameter, natural scale (default [1e-8, 1e8]). */
  bounds?: readonly [number, number];
  /** Starting point (default: the model's data-dependent neutral point). */
  initial?: Partial<Record<string, number>>;
  /**
   * A previous fit's parameters (natural scale), for a refit of almost the same data: Newton's method from them
   * first; where that does not converge, the full search from the usual start, as without them. Used when every
   * parameter of the model is given.
   */
  warmStart?: Partial<Record<string, number>>;
  /** Nelder–Mead iteration budget (default 20,000). */
  maxIterations?: number;
  /** Restarts from the best point (default 20). */
  maxRestarts?: number;
  /** Convergence threshold on the gradient of the mean log-likelihood w.r.t. log-parameters (default 1e-6). */
  gradientTolerance?: number;
}

export interface FitDiagnostics {
  /** True only if the optimiser settled, no parameter is on a bound and the gradient is ≈ 0. */
  converged: boolean;
  /** Nelder–Mead iterations over all runs. */
  iterations: number;
  /** Log-likelihood evaluations. */
  evaluations: number;
  restarts: number;
  /** Max |∂ mean-LL / ∂ log θ| at the optimum (central differences). */
  gradientNorm: number;
  /** "converged" or why not. */
  message: string;
}

export interface MaximumLikelihoodFit<Name extends string> extends FitDiagnostics {
  params: Record<Name, number>;
  /** Total log-likelihood at params (natural log, sum over customers). */
  logLikelihood: number;
  /** Number of customers the model was fitted on. */
  customers: number;
}

export interface MaximumLikelihoodProblem<Name extends string> {
  /** Parameter names, in the order the optimiser sees them. */
  names: readonly Name[];
  /** The model's own starting point (natural scale); `options.initial` overrides any of it. */
  start: Record<Name, number>;
  /** Total log-likelihood at natural-scale parameters (NaN or −Infinity where undefined). */
  logLikelihood: (params: Record<Name, number>) => number;
  customers: number;
}

export const DEFAULT_BOUNDS: readonly [number, number] = [1e-8, 1e8];

export function fitMaximumLikelihood<Name extends string>(
  problem: MaximumLikelihoodProblem<Name>,
  options: ModelFitOptions = {},
): MaximumLikelihoodFit<Name> {
  const [lo, hi] = options.bounds ?? DEFAULT_BOUNDS;
  const { names, customers } = problem;
  const toParams = (z: readonly number[]): Record<Name, number> =>
    Object.fromEntries(names.map((name, i) => [name, Math.exp(z[i])])) as Record<Name, number>;
  const start = names.map((name) =>
    Math.log(Math.min(hi, Math.max(lo, options.initial?.[name] ?? problem.start[name]))),
  );
  const objective = (z: readonly number[]) => -problem.logLikelihood(toParams(z)) / customers;
  const box = { lower: names.map(() => Math.log(lo)), upper: names.map(() => Math.log(hi)) };
  const warm = options.warmStart;
  const warmStart =
    warm && names.every((name) => Number.isFinite(warm[name]) && warm[name]! > 0)
      ? names.map((name) => Math.log(Math.min(hi, Math.max(lo, warm[name]!))))
      : null;
  const polished: MinimizeResult | null =
    warmStart && newtonPolish(objective, warmStart, { ...box, gradientTolerance: options.gradientTolerance });
  const res =
    polished ??
    minimize(objective, start, {
      ...box,
      maxIterations: options.maxIterations,
      maxRestarts: options.maxRestarts,
      gradientTolerance: options.gradientTolerance,
    });
  const params = toParams(res.x);
  const message =
    res.atBound.length > 0
      ? `${res.atBound.map((i) => names[i]).join(", ")} at the bound [${lo}, ${hi}]: model not identified by the data`
      : res.message;
  return {
    params,
    logLikelihood: problem.logLikelihood(params),
    customers,
    converged: res.converged,
    iterations: res.iterations,
    evaluations: res.evaluations,
    restarts: res.restarts,
    gradientNorm: res.gradientNorm,
    message,
  };
}
