package dev.burnguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code Host} check of the dashboard (moved here from the sample app's AdminApiTest with the class). */
class AdminAccessTest {
  @Test
  void aNonLoopbackBindAnswersToItsAddressAndConfiguredNamesOnly() throws Exception {
    var allowed = AdminAccess.allowedHosts(InetAddress.getByName("192.0.2.7"), 8080, List.of("Burnguard.Example"));
    assertThat(AdminAccess.hostRefusal("192.0.2.7:8080", allowed)).isNull();
    assertThat(AdminAccess.hostRefusal("burnguard.example:8080", allowed)).isNull();
    assertThat(AdminAccess.hostRefusal("localhost:8080", allowed)).isNull();
    assertThat(AdminAccess.hostRefusal("rebound.attacker.example:8080", allowed)).contains("does not answer to Host");
    assertThat(AdminAccess.hostRefusal("192.0.2.7:9090", allowed)).isNotNull();
    assertThat(AdminAccess.hostRefusal("192.0.2.7", allowed)).isNotNull();

    var wildcard = AdminAccess.allowedHosts(InetAddress.getByName("0.0.0.0"), 80, List.of());
    assertThat(AdminAccess.hostRefusal("localhost", wildcard)).isNull();
    assertThat(AdminAccess.hostRefusal("127.0.0.1:80", wildcard)).isNull();
    assertThat(AdminAccess.hostRefusal("0.0.0.0:80", wildcard)).isNotNull();
    assertThat(AdminAccess.hostRefusal("attacker.example", wildcard)).isNotNull();
  }
}
