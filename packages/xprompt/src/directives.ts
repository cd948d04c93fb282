/**
 * The directives of one prompt segment, collected from its `%name` tokens. Only the keys a segment sets are
 * present.
 */
export interface Directives {
  /** `%name:NAME` / `%n` / `%id`: the agent's name. */
  name?: string;
  /** `%name:!NAME`: replace a parked or finished agent of that name. */
  forceReuse?: boolean;
  /** `%wait:a,b` / `%w`: agents that must complete first; bare `%wait` adds the previous segment's agent. */
  wait?: string[];
  /** `%approve` / `%a` / `%auto`: the agent approves its own actions. */
  approve?: boolean;
  /** `%model:NAME` / `%m`. */
  model?: string;
  /** `%time:WHEN` / `%t`: start no earlier than this ISO-8601 UTC timestamp. */
  time?: string;
  /** `%plan` / `%p`: the agent must propose a plan first. */
  plan?: boolean;
  /** `%group:NAME` / `%g`. */
  group?: string;
  /** `%hide`. */
  hide?: boolean;
}

/** {@link Directives} as JSON: snake_case keys, in this order. */
export interface DirectivesJson {
  name?: string;
  force_reuse?: boolean;
  wait?: string[];
  approve?: boolean;
  model?: string;
  time?: string;
  plan?: boolean;
  group?: string;
  hide?: boolean;
}

/** The canonical directive names. */
export type DirectiveName = 'name' | 'wait' | 'approve' | 'model' | 'time' | 'plan' | 'group' | 'hide';

/** Every spelling of a directive (after `%`) and the directive it means. Any other `%word` is prose. */
export const DIRECTIVE_ALIASES: Readonly<Record<string, DirectiveName>> = Object.freeze({
  name: 'name',
  n: 'name',
  id: 'name',
  wait: 'wait',
  w: 'wait',
  approve: 'approve',
  a: 'approve',
  auto: 'approve',
  model: 'model',
  m: 'model',
  time: 'time',
  t: 'time',
  plan: 'plan',
  p: 'plan',
  group: 'group',
  g: 'group',
  hide: 'hide',
});

/** Maps directives to their JSON form (`forceReuse` -> `force_reuse`), keeping only present keys. */
export function directivesToJson(directives: Directives): DirectivesJson {
  const json: DirectivesJson = {};
  if (directives.name !== undefined) json.name = directives.name;
  if (directives.forceReuse !== undefined) json.force_reuse = directives.forceReuse;
  if (directives.wait !== undefined) json.wait = [...directives.wait];
  if (directives.approve !== undefined) json.approve = directives.approve;
  if (directives.model !== undefined) json.model = directives.model;
  if (directives.time !== undefined) json.time = directives.time;
  if (directives.plan !== undefined) json.plan = directives.plan;
  if (directives.group !== undefined) json.group = directives.group;
  if (directives.hide !== undefined) json.hide = directives.hide;
  return json;
}
