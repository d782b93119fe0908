/**
 * CLV model fits (BG/NBD + Gamma-Gamma) on 100,000 customers simulated from the published CDNOW parameters
 * (deterministic seed). Reports the median fit time over a few runs next to two baselines measured in the same run:
 * the cost of the likelihood evaluations the fit used (one evaluation pass × evaluation count) and a plain loop over
 * the raw data; plus iterations, recovered parameters and peak RSS. Goal: both fits converge and spend at most 2×
 * the time of the likelihood evaluations they make (the optimiser's own work stays small). `--quick`: 20,000 customers.
 */
import { bgnbdPreparedLogLikelihood, fitBgNbd, prepareBgNbd } from "../app/lifecycle/clv/bgnbd";
import { fitGammaGamma, gammaGammaPreparedLogLikelihood, prepareGammaGamma } from "../app/lifecycle/clv/gammaGamma";
import { simulateCustomers } from "../app/lifecycle/clv/simulate";
import { median, type BenchOptions, type BenchResult } from "./support/goals";

/** Fit time over (one likelihood pass × the evaluations the fit made). */
const OVERHEAD_GOAL = 2;
const RUNS = 5;
const SEED = 20050101;
const TRUE_BGNBD = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
const TRUE_GG = { p: 6.25, q: 3.74, v: 15.44 };

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

export async function run({ quick }: BenchOptions): Promise<BenchResult> {
  const CUSTOMERS = quick ? 20_000 : 100_000;
  const [data, simMs] = time(() => simulateCustomers(CUSTOMERS, TRUE_BGNBD, TRUE_GG, { seed: SEED }));
  const repeatBuyers = data.x.reduce((n, x) => n + (x > 0 ? 1 : 0), 0);

  const bgTimes: number[] = [];
  const ggTimes: number[] = [];
  let bg = fitBgNbd(data);
  let gg = fitGammaGamma(data);
  for (let i = 0; i < RUNS; i++) {
    const [b, bt] = time(() => fitBgNbd(data));
    const [g, gt] = time(() => fitGammaGamma(data));
    bgTimes.push(bt);
    ggTimes.push(gt);
    bg = b;
    gg = g;
  }

  // Baseline 1: one log-likelihood pass over the same (prepared) data, times the evaluations the fit used.
  const bgPrepared = prepareBgNbd(data);
  const ggPrepared = prepareGammaGamma(data);
  const passes = 50;
  const bgPass: number[] = [];
  const ggPass: number[] = [];
  let sink = 0;
  for (let i = 0; i < 5; i++) {
    bgPass.push(
      time(() => {
        for (let k = 0; k < passes; k++) sink += bgnbdPreparedLogLikelihood(bg.params, bgPrepared);
      })[1] / passes,
    );
    ggPass.push(
      time(() => {
        for (let k = 0; k < passes; k++) sink += gammaGammaPreparedLogLikelihood(gg.params, ggPrepared);
      })[1] / passes,
    );
  }
  // Baseline 2: a plain loop over the raw 100,000 customers with one log per customer.
  const plain: number[] = [];
  for (let i = 0; i < 5; i++) {
    plain.push(
      time(() => {
        let s = 0;
        for (let j = 0; j < CUSTOMERS; j++) s += (TRUE_BGNBD.r + data.x[j]) * Math.log(TRUE_BGNBD.alpha + data.T[j]);
        sink += s;
      })[1],
    );
  }
  if (!Number.isFinite(sink)) throw new Error("benchmark sink is not finite");

  const bgMs = median(bgTimes);
  const ggMs = median(ggTimes);
  const bgPassMs = median(bgPass);
  const ggPassMs = median(ggPass);
  const plainMs = median(plain);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  const f = (v: number, d = 1) => v.toFixed(d);
  const markdown = [
    `${CUSTOMERS.toLocaleString("en-US")} customers simulated from the CDNOW estimates (seed ${SEED}; first purchases on whole days`,
    `over one year, continuous purchase times; ${repeatBuyers.toLocaleString("en-US")} repeat buyers) in ${f(simMs, 0)} ms. Fits are`,
    `deterministic; identical rows are merged before fitting (BG/NBD: ${bgPrepared.x.length.toLocaleString("en-US")} distinct rows,`,
    `Gamma-Gamma: ${ggPrepared.x.length.toLocaleString("en-US")}). Median of ${RUNS} runs.`,
    "",
    "| | BG/NBD | Gamma-Gamma |",
    "| --- | ---: | ---: |",
    `| fit time (median) | ${f(bgMs, 0)} ms | ${f(ggMs, 0)} ms |`,
    `| converged | ${bg.converged} | ${gg.converged} |`,
    `| Nelder–Mead iterations / likelihood evaluations | ${bg.iterations} / ${bg.evaluations} | ${gg.iterations} / ${gg.evaluations} |`,
    `| baseline: one likelihood pass | ${f(bgPassMs, 2)} ms | ${f(ggPassMs, 2)} ms |`,
    `| baseline: pass × evaluations | ${f(bgPassMs * bg.evaluations, 0)} ms | ${f(ggPassMs * gg.evaluations, 0)} ms |`,
    `| fit time / (pass × evaluations) | ${f(bgMs / (bgPassMs * bg.evaluations), 2)} | ${f(ggMs / (ggPassMs * gg.evaluations), 2)} |`,
    `| baseline: plain loop over ${CUSTOMERS.toLocaleString("en-US")} customers (one log each) | ${f(plainMs, 2)} ms | |`,
    "",
    `Recovered BG/NBD: r ${f(bg.params.r, 4)} (true ${TRUE_BGNBD.r}), α ${f(bg.params.alpha, 4)} (${TRUE_BGNBD.alpha}),`,
    `a ${f(bg.params.a, 4)} (${TRUE_BGNBD.a}), b ${f(bg.params.b, 4)} (${TRUE_BGNBD.b}); Gamma-Gamma: p ${f(gg.params.p, 3)} (${TRUE_GG.p}),`,
    `q ${f(gg.params.q, 3)} (${TRUE_GG.q}), v ${f(gg.params.v, 3)} (${TRUE_GG.v}); mean spend pv/(q−1) ${f((gg.params.p * gg.params.v) / (gg.params.q - 1), 2)}`,
    `(true ${f((TRUE_GG.p * TRUE_GG.v) / (TRUE_GG.q - 1), 2)}).`,
    "",
    `Peak RSS of the bench process: ${f(rssMiB, 0)} MiB.`,
  ].join("\n");
  const bgOverhead = bgMs / (bgPassMs * bg.evaluations);
  const ggOverhead = ggMs / (ggPassMs * gg.evaluations);
  return {
    title: "CLV fits (BG/NBD + Gamma-Gamma, 100k customers)",
    markdown,
    goals: [
      {
        name: "clv bgnbd",
        figure: `fit ${f(bgMs, 0)} ms for ${CUSTOMERS.toLocaleString("en-US")} customers, converged ${bg.converged}`,
        ratio: `${f(bgOverhead, 2)}× its ${bg.evaluations} likelihood evaluations`,
        goal: `converged, ≤ ${OVERHEAD_GOAL}×`,
        met: bg.converged && bgOverhead <= OVERHEAD_GOAL,
      },
      {
        name: "clv gamma-gamma",
        figure: `fit ${f(ggMs, 0)} ms, converged ${gg.converged}`,
        ratio: `${f(ggOverhead, 2)}× its ${gg.evaluations} likelihood evaluations`,
        goal: `converged, ≤ ${OVERHEAD_GOAL}×`,
        met: gg.converged && ggOverhead <= OVERHEAD_GOAL,
      },
    ],
  };
}
