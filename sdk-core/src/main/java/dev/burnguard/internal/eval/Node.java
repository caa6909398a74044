package dev.burnguard.internal.eval;

/**
 * A compiled JsonLogic expression. Nodes are immutable and shared by all threads; all per-evaluation
 * state is in the {@link Frame}. {@link #eval} never throws for any input data: operators that
 * cannot produce a value return {@code null}, as flagd's do. Internal, not for public use.
 */
public abstract class Node {
  /** Evaluates this expression. */
  public abstract Object eval(Frame frame);

  /** Whether this node always yields the same value, so callers may fold it at compile time. */
  boolean isConstant() {
    return false;
  }

  /** A node that yields a fixed value. */
  static final class Constant extends Node {
    final Object value;

    Constant(Object value) {
      this.value = value;
    }

    @Override
    public Object eval(Frame frame) {
      return value;
    }

    @Override
    boolean isConstant() {
      return true;
    }
  }
}
