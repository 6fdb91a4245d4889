package dev.winch.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @Test
    void anIpv4BlockContainsItsAddressesOnly() {
        Cidr block = Cidr.parse("10.20.0.0/16");

        assertThat(block.contains("10.20.0.0")).isTrue();
        assertThat(block.contains("10.20.255.255")).isTrue();
        assertThat(block.contains("10.21.0.1")).isFalse();
        assertThat(block.contains("9.20.0.1")).isFalse();
    }

    @Test
    void hostBitsOfTheBlockAreIgnored() {
        assertThat(Cidr.parse("192.168.1.77/24").contains("192.168.1.3")).isTrue();
    }

    @Test
    void aPrefixThatIsNotAByteBoundaryIsHonoured() {
        Cidr block = Cidr.parse("172.16.0.0/12");

        assertThat(block.contains("172.31.255.254")).isTrue();
        assertThat(block.contains("172.32.0.1")).isFalse();
    }

    @Test
    void aSingleAddressMatchesOnlyItself() {
        Cidr one = Cidr.parse("203.0.113.7");

        assertThat(one.contains("203.0.113.7")).isTrue();
        assertThat(one.contains("203.0.113.8")).isFalse();
    }

    @Test
    void slashZeroMatchesEveryAddressOfItsFamily() {
        assertThat(Cidr.parse("0.0.0.0/0").contains("198.51.100.1")).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains("2001:db8::1")).isFalse();
    }

    @Test
    void anIpv6BlockContainsItsAddresses() {
        Cidr block = Cidr.parse("2001:db8::/32");

        assertThat(block.contains("2001:db8:ffff::1")).isTrue();
        assertThat(block.contains("[2001:db8::1]")).isTrue();
        assertThat(block.contains("2001:db9::1")).isFalse();
        assertThat(block.contains("10.0.0.1")).isFalse();
    }

    @Test
    void anIpv4MappedIpv6SenderMatchesAnIpv4Block() {
        assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:10.1.2.3")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:11.1.2.3")).isFalse();
    }

    @Test
    void anUnparsableSenderIsNeverContained() {
        assertThat(Cidr.parse("0.0.0.0/0").contains("localhost")).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains("")).isFalse();
    }

    @Test
    void keepsItsTextForMessages() {
        assertThat(Cidr.parse(" 10.0.0.0/8 ")).hasToString("10.0.0.0/8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "10.0.0.0/8/8", "256.0.0.1",
            "10.0.0", "example.com", "2001:db8::/129", "not-an-address"})
    void rejectsWhatIsNotACidrBlockWithoutAnyNameLookup(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.isEmpty() ? "" : text);
    }
}
