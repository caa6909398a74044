package dev.burnguard.rollout;

import dev.burnguard.internal.guardian.Guardian;
import dev.burnguard.internal.guardian.RolloutJudge;

import static dev.burnguard.rollout.RolloutState.RolloutStatus.COMPLETED;
import static dev.burnguard.rollout.RolloutState.RolloutStatus.COOLING_DOWN;
import static dev.burnguard.rollout.RolloutState.RolloutStatus.PAUSED;
import static dev.burnguard.rollout.RolloutState.RolloutStatus.RAMPING;
import static dev.burnguard.rollout.RolloutState.RolloutStatus.ROLLED_BACK;
import static dev.burnguard.rollout.RolloutState.RolloutStatus.WATCHING;

import dev.burnguard.rollout.Decision.DecisionAction;
import dev.burnguard.rollout.RolloutPlan.Stage;
import dev.burnguard.rollout.RolloutState.RolloutStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A guardian listener that checks every decision it hears against the rollout state machine, as
 * the javadoc of {@link DecisionAction}, {@link RolloutStatus}, {@link Guardian} and
 * {@link RolloutJudge} describe it, and that the decisions of each flag form one chain: each one
 * starts from the state the previous one left (nothing applied in between, nothing lost), with the
 * version one higher. Thread-safe; the guardian calls listeners in the order it applies decisions.
 *
 * <table>
 *   <caption>legal transitions</caption>
 *   <tr><th>action</th><th>from</th><th>to</th></tr>
 *   <tr><td>START</td><td>none, or any (a changed plan)</td><td>RAMPING, stage 0, version 0</td></tr>
 *   <tr><td>ADVANCE</td><td>RAMPING stage s &lt; last</td><td>RAMPING stage s + 1, that stage's exposure</td></tr>
 *   <tr><td>COMPLETE</td><td>RAMPING at the last stage</td><td>WATCHING, exposure 1</td></tr>
 *   <tr><td>FINISH</td><td>WATCHING</td><td>COMPLETED, exposure 1</td></tr>
 *   <tr><td>SHRINK</td><td>RAMPING, COOLING_DOWN, WATCHING (not PAUSED: "decisions other than
 *       rollback wait for resume")</td><td>COOLING_DOWN, lower exposure, one more shrink</td></tr>
 *   <tr><td>REPROBE</td><td>COOLING_DOWN</td><td>RAMPING, same stage</td></tr>
 *   <tr><td>ROLLBACK</td><td>by the guardian: RAMPING, COOLING_DOWN, PAUSED, WATCHING; by a person:
 *       anything but ROLLED_BACK</td><td>ROLLED_BACK, exposure 0</td></tr>
 *   <tr><td>HOLD</td><td>RAMPING, COOLING_DOWN, PAUSED, WATCHING</td><td>unchanged (the same state)</td></tr>
 *   <tr><td>PAUSE</td><td>RAMPING, COOLING_DOWN, WATCHING</td><td>PAUSED, same exposure, remembering the status</td></tr>
 *   <tr><td>RESUME</td><td>PAUSED</td><td>the remembered status, same stage and exposure</td></tr>
 *   <tr><td>PROMOTE</td><td>RAMPING, COOLING_DOWN</td><td>RAMPING at a later (or, cooling down, the
 *       re-probed) stage, or WATCHING at exposure 1</td></tr>
 *   <tr><td>RESET</td><td>any</td><td>RAMPING, stage 0</td></tr>
 * </table>
 */
final class LegalTransitions implements Consumer<Decision> {
  private static final Set<RolloutStatus> GUARDED = EnumSet.of(RAMPING, COOLING_DOWN, PAUSED, WATCHING);

  private final Map<String, RolloutPlan> plansByFingerprint = new HashMap<>();
  private final Map<String, RolloutState> last = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final Map<DecisionAction, Long> actions = new EnumMap<>(DecisionAction.class);
  private long checked;

  /** @param plans every plan the rollouts may follow, to know their stages */
  LegalTransitions(Collection<RolloutPlan> plans) {
    plans.forEach(plan -> plansByFingerprint.put(plan.fingerprint(), plan));
  }

  @Override
  public synchronized void accept(Decision d) {
    checked++;
    actions.merge(d.action(), 1L, Long::sum);
    String problem = problem(d);
    if (problem != null) {
      violations.add(problem + ": " + d.action() + " by " + d.actor() + " from " + d.before() + " to " + d.after());
    }
    last.put(d.flagKey(), d.after());
  }

  /** Decisions checked so far. */
  synchronized long checked() {
    return checked;
  }

  /** How many decisions of each action were checked. */
  synchronized Map<DecisionAction, Long> actions() {
    return new EnumMap<>(actions);
  }

  /** The state the last decision of {@code flagKey} left, if any. */
  synchronized RolloutState last(String flagKey) {
    return last.get(flagKey);
  }

  /** The illegal transitions seen, each described; empty if all were legal. */
  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  private String problem(Decision d) {
    RolloutState before = d.before();
    RolloutState after = d.after();
    RolloutState previous = last.get(d.flagKey());
    if (d.action() == DecisionAction.START) {
      // before is null for a new rollout, also of a flag whose plan was removed and is back
      if (before != null && !before.equals(previous)) {
        return "a START did not begin from the last state";
      }
      return after.status() == RAMPING && after.stage() == 0 && after.version() == 0 ? null : "a START must ramp from stage 0";
    }
    if (before == null || !before.equals(previous)) {
      return "not chained to the previous decision (" + previous + ")";
    }
    if (d.action() == DecisionAction.HOLD) {
      return after.equals(before) && GUARDED.contains(before.status()) ? null : "a HOLD changed the state";
    }
    if (after.version() != before.version() + 1) {
      return "the version did not go up by one";
    }
    if (d.action() == DecisionAction.PLAN_CHANGED) {
      // an edit in place, a removal or a return: where the rollout stands is kept
      boolean legal = (d.actor().equals(Guardian.FILE) || d.actor().equals(Guardian.CODE))
          && after.status() == before.status() && after.shrinks() == before.shrinks()
          && (after.status() != ROLLED_BACK || after.exposure() == 0)
          && (after.planRemovedAt() != null || plansByFingerprint.containsKey(after.planFingerprint()));
      return legal ? null : "illegal PLAN_CHANGED";
    }
    if (!after.planFingerprint().equals(before.planFingerprint())) {
      return "the plan changed without a START";
    }
    List<Stage> stages = plansByFingerprint.get(before.planFingerprint()).stages();
    int lastStage = stages.size() - 1;
    RolloutStatus from = before.status();
    RolloutStatus to = after.status();
    boolean byGuardian = d.actor().equals(Decision.GUARDIAN);
    boolean legal;
    switch (d.action()) {
      case ADVANCE:
        legal = from == RAMPING && before.stage() < lastStage && to == RAMPING && after.stage() == before.stage() + 1
            && after.exposure() == stages.get(after.stage()).exposure();
        break;
      case COMPLETE:
        legal = from == RAMPING && before.stage() == lastStage && to == WATCHING && after.exposure() == 1;
        break;
      case FINISH:
        legal = from == WATCHING && to == COMPLETED && after.exposure() == 1;
        break;
      case SHRINK:
        legal = EnumSet.of(RAMPING, COOLING_DOWN, WATCHING).contains(from) && to == COOLING_DOWN
            && after.exposure() < before.exposure() && after.shrinks() == before.shrinks() + 1;
        break;
      case REPROBE:
        legal = from == COOLING_DOWN && to == RAMPING && after.stage() == before.stage();
        break;
      case ROLLBACK:
        legal = (byGuardian ? GUARDED.contains(from) : from != ROLLED_BACK) && to == ROLLED_BACK && after.exposure() == 0;
        break;
      case PAUSE:
        legal = !byGuardian && EnumSet.of(RAMPING, COOLING_DOWN, WATCHING).contains(from) && to == PAUSED
            && after.pausedStatus() == from && after.exposure() == before.exposure();
        break;
      case RESUME:
        legal = !byGuardian && from == PAUSED && to == before.pausedStatus() && after.stage() == before.stage()
            && after.exposure() == before.exposure();
        break;
      case PROMOTE:
        legal = !byGuardian && (from == RAMPING || from == COOLING_DOWN)
            && (to == RAMPING && (after.stage() > before.stage() || from == COOLING_DOWN && after.stage() == before.stage())
                || to == WATCHING && after.exposure() == 1);
        break;
      case RESET:
        legal = !byGuardian && to == RAMPING && after.stage() == 0 && after.shrinks() == 0;
        break;
      default:
        legal = false;
    }
    return legal ? null : "illegal " + d.action();
  }
}
