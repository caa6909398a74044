package dev.burnguard.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
    RequestFlags flags = new RequestFlags(0);
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
    RequestFlags flags = new RequestFlags(0);
    flags.note("a", "x");
    assertThat(flags.close()).isEqualTo(1);
    flags.note("b", "y");
    assertThat(pairs(flags)).containsExactly("a=x");
  }

  @Test
  void bindsToTheThreadUntilRestored() {
    RequestFlags flags = new RequestFlags(0);
    assertThat(RequestFlags.bind(flags)).isNull();
    assertThat(RequestFlags.current()).isSameAs(flags);
    RequestFlags.restore(null);
    assertThat(RequestFlags.current()).isNull();
  }
}
