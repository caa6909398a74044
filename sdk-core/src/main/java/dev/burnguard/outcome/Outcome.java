package dev.burnguard.outcome;

/** How one guarded call ended, as far as the error budget is concerned. */
public enum Outcome {
  /** The call did what it should. */
  SUCCESS,
  /** The call failed: it threw, returned an error result, or took longer than allowed. */
  ERROR
}
