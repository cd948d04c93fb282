import { SddError } from './errors.js';
import type { Plan } from './plan.js';

/** One review of a plan round: who decided what, when, and why. */
export interface PlanReview {
  /** The plan round reviewed (frontmatter `round`, 1 for a plan without one). */
  round: number;
  by: string;
  /** UTC ISO-8601. */
  at: string;
  verdict: 'approved' | 'rejected';
  /** The reviewer's words (may span lines). */
  feedback: string;
}

/** Whether a plan's current round awaits a decision, was approved (promoted to beads) or was rejected. */
export type PlanApprovalState = 'awaiting' | 'approved' | 'rejected';

const HEADING = /^### Review \(round (\d+)\)[ \t]*$/;

/**
 * The `### Review (round N)` sections of a plan body, in order, and the body without them. A review is the
 * heading, `- by:`, `- at:` and `- verdict:` lines, and the feedback as a `> ` block quote (so that no line of
 * it can read as a heading of the plan).
 */
export function parsePlanReviews(body: string): { reviews: PlanReview[]; rest: string } {
  const lines = body.split('\n');
  const reviews: PlanReview[] = [];
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const heading = HEADING.exec(lines[index]!);
    if (!heading) {
      kept.push(lines[index]!);
      continue;
    }
    const review: PlanReview = {
      round: Number(heading[1]),
      by: '',
      at: '',
      verdict: 'rejected',
      feedback: '',
    };
    const feedback: string[] = [];
    let next = index + 1;
    for (; next < lines.length; next++) {
      const line = lines[next]!;
      const field = /^- (by|at|verdict): (.*)$/.exec(line);
      if (field) {
        if (field[1] === 'by') review.by = field[2]!;
        else if (field[1] === 'at') review.at = field[2]!;
        else review.verdict = field[2] === 'approved' ? 'approved' : 'rejected';
      } else if (line.startsWith('>')) {
        feedback.push(line.replace(/^> ?/, ''));
      } else if (line.trim() !== '') {
        break;
      }
    }
    review.feedback = feedback.join('\n');
    reviews.push(review);
    index = next - 1;
  }
  return { reviews, rest: kept.join('\n').replace(/\n{3,}$/, '\n\n') };
}

/** The Markdown of one review section (see parsePlanReviews). */
export function formatPlanReview(review: PlanReview): string {
  if (/[\r\n]/.test(review.by) || /[\r\n]/.test(review.at)) {
    throw new SddError('INVALID_PLAN', 'a review\'s "by" and "at" must be one line each');
  }
  const quoted = review.feedback
    .replace(/\r\n/g, '\n')
    .trim()
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
  return (
    `### Review (round ${review.round})\n\n- by: ${review.by}\n- at: ${review.at}\n- verdict: ${review.verdict}\n` +
    (quoted === '>' || quoted === '' ? '' : `\n${quoted}\n`)
  );
}

/** The plan with `review` appended as a new `### Review (round N)` section at the end of its body. */
export function addPlanReview(plan: Plan, review: PlanReview): Plan {
  const body = plan.body.replace(/\s*$/, '');
  return { ...plan, body: `${body}\n\n${formatPlanReview(review)}` };
}

/**
 * A plan's approval state: `approved` once it was promoted (`approved_at`), `rejected` when the latest review
 * of its current round rejected it, `awaiting` otherwise.
 */
export function planApprovalState(plan: Plan): PlanApprovalState {
  if (plan.frontmatter.approvedAt !== undefined || plan.frontmatter.bead !== undefined) return 'approved';
  const round = plan.frontmatter.round ?? 1;
  const latest = parsePlanReviews(plan.body)
    .reviews.filter((review) => review.round === round)
    .at(-1);
  return latest?.verdict === 'rejected' ? 'rejected' : 'awaiting';
}
