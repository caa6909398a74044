package dev.burnguard.flag;

/** Whether a flag is served ({@code ENABLED}) or resolves to the caller's default ({@code DISABLED}). */
public enum FlagState {
  ENABLED,
  DISABLED
}
