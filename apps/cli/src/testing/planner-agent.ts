/**
 * A shell agent for the plan-approval loop's tests (`sh agent.sh` as the shell launcher's command): while its
 * context says "Plan first" it writes a plan to $HOME/plan.md (with "Add a backoff." once its context carries
 * feedback) and submits it with `<cli> plan submit --tier tale`; otherwise it writes the context it was given,
 * which names the approved plan, to implemented-<agent>.md. `cli` is the path of the built `sase` (bin.cjs).
 */
export function plannerAgentScript(cli: string): string {
  return [
    'context=$(cat "$SASE_PROMPT_CONTEXT" 2>/dev/null)',
    'case "$context" in',
    '  *"## Plan first"*)',
    '    extra=""; case "$context" in *"Feedback on it"*) extra="Add a backoff.";; esac',
    '    printf "# Retry the upload\\n\\nTry three times. %s\\n" "$extra" > "$HOME/plan.md"',
    `    node ${JSON.stringify(cli)} plan submit "$HOME/plan.md" --tier tale --agent "$SASE_AGENT_NAME" > /dev/null`,
    '    ;;',
    '  *) printf "%s\\n" "$context" > "implemented-$SASE_AGENT_NAME.md" ;;',
    'esac',
  ].join('\n');
}
