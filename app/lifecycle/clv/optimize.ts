/**
 * Deterministic bounded Nelder–Mead minimiser with restarts, plus a central
 * difference gradient used to confirm convergence.
 *
 * Pure module: no I/O, no clock, no randomness.
 */

export interface MinimizeOptions {
  /** Lower bounds per coordinate (points are projected onto the box). */
  lower: readonly number[];
  /** Upper bounds per coordinate. */
  upper: readonly number[];
  /** Initial simplex edge length per coordinate (default 0.5). */
  initialStep?: number;
  /** Stop a run when the simplex spread in x is at most this (default 1e-9). */
  xTolerance?: number;
  /** …and the spread of function values is at most this (default 1e-13). */
  fTolerance?: number;
  /** Iteration budget for all runs together (default 20,000). */
  maxIterations?: number;
  /** Maximum number of restarts after the first run (default 20). */
  maxRestarts?: number;
  /** Max |∇f| (central differences) accepted as converged (default 1e-6). */
  gradientTolerance?: number;
}

export interface MinimizeResult {
  x: number[];
  f: number;
  converged: boolean;
  /** Nelder–Mead iterations over all runs. */
  iterations: number;
  /** Objective evaluations, including the final gradient check. */
  evaluations: number;
  /** Runs after the first one. */
  restarts: number;
  /** Max-norm of the central-difference gradient at x. */
  gradientNorm: number;
  /** Indices of coordinates that ended on a bound. */
  atBound: number[];
  message: string;
}

/**
 * Minimises f over a box. Non-finite objective values count as +Infinity.
 * Every run restarts from the best point with a fresh simplex until a run
 * neither moves the point nor lowers f; then the central-difference gradient
 * must also be small for `converged` to be true.
 */
export function minimize(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: MinimizeOptions,
): MinimizeResult {
  const lower = options.lower;
  const upper = options.upper;
  const xTol = options.xTolerance ?? 1e-9;
  const fTol = options.fTolerance ?? 1e-13;
  const maxIter = options.maxIterations ?? 20_000;
  const maxRestarts = options.maxRestarts ?? 20;
  const gTol = options.gradientTolerance ?? 1e-6;
  let evaluations = 0;
  const project = (x: number[]): number[] => x.map((v, i) => Math.min(upper[i], Math.max(lower[i], v)));
  const evaluate = (x: readonly number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };

  let best = project([...x0]);
  let bestF = evaluate(best);
  let iterations = 0;
  let restarts = 0;
  let step = options.initialStep ?? 0.5;
  let stable = false;
  let budgetExhausted = false;

  for (let run = 0; run <= maxRestarts; run++) {
    if (run > 0) restarts++;
    const res = nelderMeadRun(evaluate, best, bestF, step, project, xTol, fTol, maxIter - iterations);
    iterations += res.iterations;
    const moved = Math.max(...res.x.map((v, i) => Math.abs(v - best[i])));
    const improved = bestF - res.f;
    if (res.f <= bestF) {
      best = res.x;
      bestF = res.f;
    }
    if (!res.converged) {
      budgetExhausted = true;
      break;
    }
    if (run > 0 && moved <= 10 * xTol && improved <= fTol) {
      stable = true;
      break;
    }
    // Restart with a smaller (but not tiny) simplex around the best point.
    step = Math.max(Math.min(step, 0.1), 1e3 * xTol);
  }

  const grad = centralGradient(evaluate, best, lower, upper);
  const gradientNorm = Math.max(...grad.map(Math.abs));
  const atBound: number[] = [];
  best.forEach((v, i) => {
    if (v <= lower[i] + 1e-6 || v >= upper[i] - 1e-6) atBound.push(i);
  });
  let message = "converged";
  if (budgetExhausted) message = `iteration budget of ${maxIter} exhausted`;
  else if (!stable) message = `still moving after ${maxRestarts} restarts`;
  else if (atBound.length > 0) message = `parameter(s) ${atBound.join(", ")} at the bound`;
  else if (!(gradientNorm <= gTol)) message = `gradient ${gradientNorm.toExponential(2)} above ${gTol}`;
  const converged = message === "converged" && Number.isFinite(bestF);
  return {
    x: best,
    f: bestF,
    converged,
    iterations,
    evaluations,
    restarts,
    gradientNorm,
    atBound,
    message,
  };
}

interface RunResult {
  x: number[];
  f: number;
  iterations: number;
  converged: boolean;
}

/** The starting simplex: x0 and one point a step along each axis (the other way where a bound stops the step). */
function initialSimplex(
  f: (x: readonly number[]) => number,
  x0: number[],
  f0: number,
  step: number,
  project: (x: number[]) => number[],
): { pts: number[][]; vals: number[] } {
  const pts: number[][] = [x0];
  const vals: number[] = [f0];
  for (let i = 0; i < x0.length; i++) {
    const p = [...x0];
    p[i] += step;
    let q = project(p);
    if (q[i] === x0[i]) {
      // Against the upper bound: step the other way.
      p[i] = x0[i] - step;
      q = project(p);
    }
    pts.push(q);
    vals.push(f(q));
  }
  return { pts, vals };
}

function nelderMeadRun(
  f: (x: readonly number[]) => number,
  x0: number[],
  f0: number,
  step: number,
  project: (x: number[]) => number[],
  xTol: number,
  fTol: number,
  budget: number,
): RunResult {
  const n = x0.length;
  const { pts, vals } = initialSimplex(f, x0, f0, step, project);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  let it = 0;
  for (; it < budget; it++) {
    // Stable sort by value then by index: deterministic.
    order.sort((i, j) => vals[i] - vals[j] || i - j);
    const bi = order[0];
    const wi = order[n];
    const si = order[n - 1];
    let xSpread = 0;
    for (const k of order) {
      for (let d = 0; d < n; d++) xSpread = Math.max(xSpread, Math.abs(pts[k][d] - pts[bi][d]));
    }
    const fSpread = vals[wi] - vals[bi];
    if (xSpread <= xTol && fSpread <= fTol) {
      return { x: pts[bi], f: vals[bi], iterations: it, converged: true };
    }
    if (xSpread <= xTol * 1e-3) {
      // Collapsed simplex (e.g. against a bound): nothing more to learn.
      return { x: pts[bi], f: vals[bi], iterations: it, converged: true };
    }
    const centroid = new Array<number>(n).fill(0);
    for (const k of order.slice(0, n)) for (let d = 0; d < n; d++) centroid[d] += pts[k][d] / n;
    const along = (t: number) => project(centroid.map((c, d) => c + t * (pts[wi][d] - c)));
    const xr = along(-1);
    const fr = f(xr);
    if (fr < vals[bi]) {
      const xe = along(-2);
      const fe = f(xe);
      if (fe < fr) {
        pts[wi] = xe;
        vals[wi] = fe;
      } else {
        pts[wi] = xr;
        vals[wi] = fr;
      }
      continue;
    }
    if (fr < vals[si]) {
      pts[wi] = xr;
      vals[wi] = fr;
      continue;
    }
    if (fr < vals[wi]) {
      const xc = along(-0.5);
      const fc = f(xc);
      if (fc <= fr) {
        pts[wi] = xc;
        vals[wi] = fc;
        continue;
      }
    } else {
      const xc = along(0.5);
      const fc = f(xc);
      if (fc < vals[wi]) {
        pts[wi] = xc;
        vals[wi] = fc;
        continue;
      }
    }
    // Shrink towards the best point.
    for (const k of order.slice(1)) {
      pts[k] = project(pts[k].map((v, d) => pts[bi][d] + 0.5 * (v - pts[bi][d])));
      vals[k] = f(pts[k]);
    }
  }
  order.sort((i, j) => vals[i] - vals[j] || i - j);
  return { x: pts[order[0]], f: vals[order[0]], iterations: it, converged: false };
}

/**
 * Central-difference gradient (one-sided at a bound), step 1e-5 per
 * coordinate (the objectives here are in log-parameter space, O(1) scale).
 */
export function centralGradient(
  f: (x: readonly number[]) => number,
  x: readonly number[],
  lower?: readonly number[],
  upper?: readonly number[],
  h = 1e-5,
): number[] {
  return x.map((v, i) => {
    const up = upper ? Math.min(upper[i], v + h) : v + h;
    const lo = lower ? Math.max(lower[i], v - h) : v - h;
    const xp = [...x];
    const xm = [...x];
    xp[i] = up;
    xm[i] = lo;
    return (f(xp) - f(xm)) / (up - lo);
  });
}
