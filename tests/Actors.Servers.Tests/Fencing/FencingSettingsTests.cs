using Actors.Servers.Fencing;
using Akka.Configuration;

namespace Actors.Servers.Tests.Fencing;

public sealed class FencingSettingsTests
{
    [Fact]
    public void The_defaults_are_valid_and_ordered()
    {
        var s = FencingSettings.Default.Validate();
        Assert.Equal(TimeSpan.FromSeconds(8), s.LeaseTtl);
        Assert.Equal(TimeSpan.FromSeconds(1), s.RenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), s.WatchdogTimeout);
        Assert.True(s.WatchdogTimeout + s.RenewInterval < s.LeaseTtl);
    }

    [Fact]
    public void A_watchdog_that_would_fire_after_the_lease_can_pass_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new FencingSettings { LeaseTtl = TimeSpan.FromSeconds(6), WatchdogTimeout = TimeSpan.FromSeconds(5) }.Validate());
        Assert.Contains("lease-ttl", error.Message);
        Assert.Contains("before its leases expire", error.Message);
    }

    [Fact]
    public void A_watchdog_timeout_below_two_renew_intervals_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new FencingSettings { RenewInterval = TimeSpan.FromSeconds(3), WatchdogTimeout = TimeSpan.FromSeconds(4), LeaseTtl = TimeSpan.FromSeconds(20) }.Validate());
        Assert.Contains("renew-interval", error.Message);
    }

    [Fact]
    public void Settings_come_from_hocon_and_are_validated()
    {
        var s = FencingSettings.FromConfig(ConfigurationFactory.ParseString("lease-ttl = 12s\nrenew-interval = 500ms\nwatchdog-timeout = 4s"));
        Assert.Equal(TimeSpan.FromSeconds(12), s.LeaseTtl);
        Assert.Equal(TimeSpan.FromMilliseconds(500), s.RenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), s.WatchdogTimeout);
        Assert.Equal(FencingSettings.Default, FencingSettings.FromConfig(ConfigurationFactory.Empty));
        Assert.Throws<ArgumentException>(() => FencingSettings.FromConfig(ConfigurationFactory.ParseString("lease-ttl = 3s")));
    }
}
