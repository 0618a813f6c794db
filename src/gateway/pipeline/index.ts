// The request pipeline as stages, its typed outcome, and the one render and report of it.
export type { PipelineEnv } from './env.js';
export { type Facts, factsOf, requestEvent } from './facts.js';
export { type HeldWithdrawal, parseHeldWithdrawal } from './held-withdrawal.js';
export { type Answer, render, renderError } from './render.js';
export { createReport, type Report, type ReportEnv } from './report.js';
export { createResign, type Resign } from './resume.js';
export { createPipeline, type Pipeline } from './run.js';
export type * from './types.js';
