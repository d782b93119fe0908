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

/**
 * Newton's method from a start near the optimum (a previous fit of almost the same data): the gradient and Hessian
 * by central differences, a step that must lower f (halved until it does), until the gradient passes the same test
 * `minimize` ends with. A few dozen evaluations where the simplex search takes a thousand. Returns null when it does
 * not get there (a Hessian that is not positive definite, a step that lowers nothing, a bound in the way, or no
 * convergence in `maxSteps`): the caller then runs `minimize` from the same start.
 */
export function newtonPolish(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: Pick<MinimizeOptions, "lower" | "upper" | "gradientTolerance"> & { maxSteps?: number },
): MinimizeResult | null {
  const { lower, upper } = options;
  const gTol = options.gradientTolerance ?? 1e-6;
  const maxSteps = options.maxSteps ?? 8;
  const h = 1e-4;
  let evaluations = 0;
  const evaluate = (x: readonly number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const inside = (x: readonly number[]) => x.every((v, i) => v - h > lower[i] && v + h < upper[i]);
  let x = [...x0];
  if (!inside(x)) return null;
  let fx = evaluate(x);
  for (let step = 0; step <= maxSteps; step++) {
    const gradient = centralGradient(evaluate, x, lower, upper);
    const gradientNorm = Math.max(...gradient.map(Math.abs));
    if (gradientNorm <= gTol) {
      return {
        x,
        f: fx,
        converged: Number.isFinite(fx),
        iterations: step,
        evaluations,
        restarts: 0,
        gradientNorm,
        atBound: [],
        message: "converged",
      };
    }
    if (step === maxSteps) return null;
    const direction = newtonDirection(evaluate, x, fx, h);
    if (!direction) return null;
    let t = 1;
    let next: number[] | null = null;
    let fNext = fx;
    for (let halvings = 0; halvings < 20; halvings++, t /= 2) {
      const candidate = x.map((v, i) => v + t * direction[i]);
      if (!inside(candidate)) continue;
      const fc = evaluate(candidate);
      if (fc < fx) {
        next = candidate;
        fNext = fc;
        break;
      }
    }
    if (!next) return null;
    x = next;
    fx = fNext;
  }
  return null;
}

/** −H⁻¹∇f at x, with H and ∇f by central differences of step h; null unless H is positive definite. */
function newtonDirection(
  f: (x: readonly number[]) => number,
  x: readonly number[],
  fx: number,
  h: number,
): number[] | null {
  const n = x.length;
  const at = (moves: ReadonlyArray<readonly [number, number]>) => {
    const p = [...x];
    for (const [i, d] of moves) p[i] += d;
    return f(p);
  };
  const plus: number[] = [];
  const minus: number[] = [];
  for (let i = 0; i < n; i++) {
    plus.push(at([[i, h]]));
    minus.push(at([[i, -h]]));
  }
  const g = plus.map((p, i) => (p - minus[i]) / (2 * h));
  const H: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    H[i][i] = (plus[i] - 2 * fx + minus[i]) / (h * h);
    for (let j = i + 1; j < n; j++) {
      const v =
        (at([
          [i, h],
          [j, h],
        ]) -
          at([
            [i, h],
            [j, -h],
          ]) -
          at([
            [i, -h],
            [j, h],
          ]) +
          at([
            [i, -h],
            [j, -h],
          ])) /
        (4 * h * h);
      H[i][j] = v;
      H[j][i] = v;
    }
  }
  // Cholesky: H = L Lᵀ, which exists only for a positive definite H (a minimum, not a saddle).
  const L: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = H[i][j];
      for (let k = 0; k < j; k++) sum -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(sum > 0)) return null;
        L[i][i] = Math.sqrt(sum);
      } else L[i][j] = sum / L[j][j];
    }
  }
  // Solve L y = −g, then Lᵀ d = y.
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = -g[i];
    for (let k = 0; k < i; k++) sum -= L[i][k] * y[k];
    y[i] = sum / L[i][i];
  }
  const d = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= L[k][i] * d[k];
    d[i] = sum / L[i][i];
  }
  return d.every(Number.isFinite) ? d : null;
}
