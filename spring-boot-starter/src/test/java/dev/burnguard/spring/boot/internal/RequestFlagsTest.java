package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestFlagsTest {
  private static List<String> pairs(RequestFlags flags) {
    int n = flags.close();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(flags.flag(i) + "=" + flags.variant(i));
    }
    return out;
  }

  @Test
  void keepsEachFlagVariantPairOnceInOrderBeyondTheInitialCapacity() {
    RequestFlags flags = RequestFlags.owned(0);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 11; i++) {
        flags.note("flag-" + i, i % 2 == 0 ? "on" : "off");
      }
    }
    flags.note("flag-0", "off"); // the same flag served another variant counts too
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      expected.add("flag-" + i + "=" + (i % 2 == 0 ? "on" : "off"));
    }
    expected.add("flag-0=off");
    assertThat(pairs(flags)).containsExactlyElementsOf(expected);
  }

  @Test
  void takesNoNotesAfterClosing() {
    RequestFlags flags = RequestFlags.owned(0);
    flags.note("a", "x");
    assertThat(flags.close()).isEqualTo(1);
    flags.note("b", "y");
    assertThat(pairs(flags)).containsExactly("a=x");
  }

  @Test
  void bindsToTheThreadUntilRestored() {
    RequestFlags flags = RequestFlags.owned(0);
    assertThat(RequestFlags.bind(flags)).isNull();
    assertThat(RequestFlags.current()).isSameAs(flags);
    RequestFlags.restore(null);
    assertThat(RequestFlags.current()).isNull();
  }

  /**
   * The owner notes without a lock only until it hands the holder off: afterwards it and the thread
   * it handed the holder to note at the same time, 2 × 2,000 distinct pairs, and none is lost (with a
   * lock-free owner after the hand-off, their racing writes to the same slots lose pairs).
   */
  @Test
  void afterAHandOffTheOwnerAndAnotherThreadNoteConcurrentlyWithoutLosingAPair() throws Exception {
    for (int round = 0; round < 5; round++) {
      RequestFlags flags = RequestFlags.owned(0);
      RequestFlags.bind(flags);
      RequestFlags handedOff;
      try {
        flags.note("before", "x");
        handedOff = RequestFlags.handOff();
      } finally {
        RequestFlags.restore(null);
      }
      CyclicBarrier start = new CyclicBarrier(2);
      Thread other = new Thread(() -> {
        await(start);
        for (int i = 0; i < 2_000; i++) {
          handedOff.note("other-" + i, "v");
        }
      });
      other.start();
      await(start);
      for (int i = 0; i < 2_000; i++) {
        flags.note("owner-" + i, "v");
      }
      other.join();
      List<String> noted = pairs(flags);
      assertThat(noted).hasSize(4_001).doesNotHaveDuplicates().contains("before=x", "owner-1999=v", "other-1999=v");
    }
  }

  /**
   * An asynchronous request: the owner notes, leaves, and another thread closes; it sees the owner's
   * notes and a note after closing is dropped, on any thread.
   */
  @Test
  void anotherThreadClosesWhatTheOwnerNotedBeforeLeaving() throws Exception {
    RequestFlags flags = RequestFlags.owned(0);
    flags.note("a", "x");
    flags.note("b", "y");
    flags.leave();
    List<List<String>> seen = new ArrayList<>();
    Thread completer = new Thread(() -> seen.add(pairs(flags)));
    completer.start();
    completer.join();
    flags.note("c", "z"); // the old owner, after the request completed elsewhere
    assertThat(seen).containsExactly(List.of("a=x", "b=y"));
    assertThat(flags.close()).isEqualTo(2);
  }

  /** A holder shared from the start (WebFlux) takes notes from several threads at once, none lost. */
  @Test
  void aSharedHolderTakesConcurrentNotes() throws Exception {
    RequestFlags flags = RequestFlags.shared(0);
    CyclicBarrier start = new CyclicBarrier(2);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      String prefix = "t" + t + "-";
      Thread thread = new Thread(() -> {
        await(start);
        for (int i = 0; i < 2_000; i++) {
          flags.note(prefix + i, "v");
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(pairs(flags)).hasSize(4_000).doesNotHaveDuplicates();
  }

  /**
   * The usual WebFlux exchange: one pair noted on another thread, closed on this one without the
   * lock (at most one pair); the pair is there, and notes after closing, from any thread, are dropped.
   */
  @Test
  void aSharedHolderWithOnePairClosesWithItAndDropsLaterNotes() throws Exception {
    RequestFlags flags = RequestFlags.shared(0);
    Thread noter = new Thread(() -> flags.note("checkout", "new"));
    noter.start();
    noter.join();
    assertThat(flags.close()).isEqualTo(1);
    Thread late = new Thread(() -> flags.note("search", "fast"));
    late.start();
    late.join();
    flags.note("checkout", "old");
    assertThat(pairs(flags)).containsExactly("checkout=new");
  }

  /**
   * A WebFlux exchange's holder when nothing carries it in the Reactor Context: owned by the
   * subscribing thread, which notes without the lock and is never handed off; the exchange ends on
   * another thread, which closes without the lock and sees every pair, beyond the first array's
   * capacity (four pairs after the first), and drops later notes.
   */
  @Test
  void anOwnedHolderClosedOnAnotherThreadSeesEveryPairTheOwnerNoted() throws Exception {
    RequestFlags flags = RequestFlags.owned(0);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      flags.note("flag-" + i, "v" + i);
      expected.add("flag-" + i + "=v" + i);
    }
    List<List<String>> seen = new ArrayList<>();
    Thread closer = new Thread(() -> seen.add(pairs(flags)));
    closer.start();
    closer.join();
    assertThat(seen).containsExactly(expected);
    Thread late = new Thread(() -> flags.note("late", "x"));
    late.start();
    late.join();
    assertThat(pairs(flags)).containsExactlyElementsOf(expected);
  }

  /** A thread's binding cell is its own: what one thread binds, another does not see. */
  @Test
  void eachThreadHasItsOwnBindingCell() throws Exception {
    RequestFlags flags = RequestFlags.owned(0);
    RequestFlags.Binding binding = RequestFlags.binding();
    assertThat(RequestFlags.binding()).isSameAs(binding);
    binding.flags = flags;
    try {
      assertThat(RequestFlags.current()).isSameAs(flags);
      List<Object> seen = new ArrayList<>();
      Thread other = new Thread(() -> {
        seen.add(RequestFlags.current());
        seen.add(RequestFlags.binding() == binding);
      });
      other.start();
      other.join();
      assertThat(seen).containsExactly(null, false);
    } finally {
      binding.flags = null;
    }
    assertThat(RequestFlags.current()).isNull();
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
