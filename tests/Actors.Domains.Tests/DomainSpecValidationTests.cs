namespace Actors.Domains.Tests;

/// <summary>Bad create requests get an error that names the field; good ones become a spec.</summary>
public sealed class DomainSpecValidationTests : IDisposable
{
    private static readonly DomainLimits Limits = new(MaxVcpus: 8, MaxMemoryMiB: 16384);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "spec-validation-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _kernel;
    private readonly string _initrd;

    public DomainSpecValidationTests()
    {
        Directory.CreateDirectory(_dir);
        _kernel = Path.Combine(_dir, "vmlinuz");
        _initrd = Path.Combine(_dir, "initrd.img");
        File.WriteAllText(_kernel, "k");
        File.WriteAllText(_initrd, "i");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CreateDomainRequest Good(string name = "web1") => new(name, 2, 512, ["10G"], null, null, null, null);

    private static ValidationError Error(CreateDomainRequest request, string field)
    {
        var (spec, error) = DomainSpecValidation.Validate(request, Limits);
        Assert.Null(spec);
        Assert.NotNull(error);
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    private static DomainSpec Ok(CreateDomainRequest request)
    {
        var (spec, error) = DomainSpecValidation.Validate(request, Limits);
        Assert.Null(error);
        Assert.NotNull(spec);
        return spec;
    }

    [Fact]
    public void A_good_request_becomes_a_spec()
    {
        var spec = Ok(new CreateDomainRequest("web1", 2, 512, ["10G", "512M"], "never", null, null, null));
        Assert.Equal("web1", spec.Name);
        Assert.Equal(2, spec.Vcpus);
        Assert.Equal(512, spec.MemoryMiB);
        Assert.Equal([10L << 30, 512L << 20], spec.DiskSizesBytes);
        Assert.Equal(RestartPolicy.Never, spec.Restart);
    }

    // ---------------------------------------------------------------- names

    [Theory]
    [InlineData("a")]
    [InlineData("web1")]
    [InlineData("Web-1.prod_2")]
    [InlineData("0abc")]
    public void Good_names_pass(string name)
    {
        Assert.Null(DomainSpecValidation.CheckName(name));
        Assert.Equal(name, Ok(Good(name)).Name);
    }

    [Fact]
    public void A_name_of_63_characters_passes_and_64_is_refused()
    {
        Assert.Null(DomainSpecValidation.CheckName(new string('a', DomainSpecValidation.MaxNameLength)));
        var error = Error(Good(new string('a', 64)), "name");
        Assert.Contains("64", error.Message);
        Assert.Contains("63", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_missing_name_is_required(string? name)
    {
        var error = Error(Good() with { Name = name }, "name");
        Assert.Equal("name is required", error.Message);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-web")]
    [InlineData("_web")]
    [InlineData("wëb")]
    [InlineData("web 1")]
    [InlineData(" web")]
    [InlineData("web,1")]
    [InlineData("web=1")]
    [InlineData("web:1")]
    [InlineData("веб")]
    public void Path_like_non_ascii_and_spaced_names_are_refused(string name)
    {
        var error = Error(Good(name), "name");
        Assert.Contains("may contain only ASCII letters, digits", error.Message);
        Assert.NotNull(DomainSpecValidation.CheckName(name));
    }

    [Theory]
    [InlineData("web\n1")]
    [InlineData("web\t1")]
    [InlineData("web\u00001")]
    [InlineData("web\u001b[31m")]
    [InlineData("web\u007f")]
    public void Names_with_control_characters_are_refused_and_not_echoed_raw(string name)
    {
        var error = Error(Good(name), "name");
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.Contains("web?", error.Message);
    }

    [Fact]
    public void Echoed_input_is_capped()
    {
        var error = Error(Good() with { Disks = [new string('x', 500)] }, "disks[0]");
        Assert.True(error.Message.Length < 200, error.Message);
        Assert.Contains("…", error.Message);
    }

    // ---------------------------------------------------------------- vcpus and memory

    [Theory]
    [InlineData(null, "vcpus is required")]
    [InlineData(0, "between 1 and 8")]
    [InlineData(-1, "between 1 and 8")]
    [InlineData(9, "got 9")]
    [InlineData(int.MaxValue, "between 1 and 8")]
    public void Vcpus_out_of_range_are_refused(int? vcpus, string fragment)
    {
        var error = Error(Good() with { Vcpus = vcpus }, "vcpus");
        Assert.Contains(fragment, error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Vcpus_at_the_limits_pass(int vcpus) => Assert.Equal(vcpus, Ok(Good() with { Vcpus = vcpus }).Vcpus);

    [Theory]
    [InlineData(null, "memoryMiB is required")]
    [InlineData(0, "between 16 and 16384")]
    [InlineData(15, "got 15")]
    [InlineData(-512, "between 16 and 16384")]
    [InlineData(16385, "got 16385")]
    public void Memory_out_of_range_is_refused(int? memory, string fragment)
    {
        var error = Error(Good() with { MemoryMiB = memory }, "memoryMiB");
        Assert.Contains(fragment, error.Message);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(16384)]
    public void Memory_at_the_limits_passes(int memory) => Assert.Equal(memory, Ok(Good() with { MemoryMiB = memory }).MemoryMiB);

    // ---------------------------------------------------------------- disks

    [Theory]
    [InlineData("1048576", 1L << 20)]
    [InlineData("1024K", 1L << 20)]
    [InlineData("1024k", 1L << 20)]
    [InlineData("1M", 1L << 20)]
    [InlineData("512M", 512L << 20)]
    [InlineData("10G", 10L << 30)]
    [InlineData("10g", 10L << 30)]
    [InlineData(" 10G ", 10L << 30)]
    [InlineData("1T", 1L << 40)]
    [InlineData("64T", 64L << 40)]
    public void Disk_sizes_with_suffixes_parse(string text, long bytes)
    {
        Assert.True(DomainSpecValidation.TryParseSize(text, out var parsed));
        Assert.Equal(bytes, parsed);
        Assert.Equal([bytes], Ok(Good() with { Disks = [text] }).DiskSizesBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("abc")]
    [InlineData("G")]
    [InlineData("10X")]
    [InlineData("10GB")]
    [InlineData("1.5G")]
    [InlineData("-1G")]
    [InlineData("+1G")]
    [InlineData("1 G")]
    [InlineData("0x10G")]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775807K")]
    [InlineData("8796093022208T")]
    public void Bad_and_overflowing_disk_sizes_are_refused(string text)
    {
        Assert.False(DomainSpecValidation.TryParseSize(text, out _));
        var error = Error(Good() with { Disks = ["1G", text] }, "disks[1]");
        Assert.Contains("is not a size between 1M and 64T", error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0G")]
    [InlineData("1048575")]
    [InlineData("1023K")]
    [InlineData("65T")]
    [InlineData("65537G")]
    [InlineData("9223372036854775807")]
    public void Disk_sizes_outside_1M_to_64T_are_refused(string text)
    {
        Assert.True(DomainSpecValidation.TryParseSize(text, out _));
        Error(Good() with { Disks = [text] }, "disks[0]");
    }

    [Fact]
    public void No_disks_is_fine_and_too_many_are_refused()
    {
        Assert.Empty(Ok(Good() with { Disks = null }).DiskSizesBytes);
        Assert.Empty(Ok(Good() with { Disks = [] }).DiskSizesBytes);
        Assert.Equal(16, Ok(Good() with { Disks = [.. Enumerable.Repeat("1G", 16)] }).DiskSizesBytes.Count);
        var error = Error(Good() with { Disks = [.. Enumerable.Repeat("1G", 17)] }, "disks");
        Assert.Contains("17", error.Message);
    }

    // ---------------------------------------------------------------- restart policy

    [Theory]
    [InlineData(null, RestartPolicy.OnCrash)]
    [InlineData("", RestartPolicy.OnCrash)]
    [InlineData("on-crash", RestartPolicy.OnCrash)]
    [InlineData("always", RestartPolicy.Always)]
    [InlineData("never", RestartPolicy.Never)]
    public void Restart_policies_parse(string? text, RestartPolicy policy)
    {
        var spec = Ok(Good() with { Restart = text });
        Assert.Equal(policy, spec.Restart);
        Assert.Equal(text is null or "" ? "on-crash" : text, spec.Restart.ToWire());
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("on_crash")]
    [InlineData("oncrash")]
    [InlineData("on-crash ")]
    public void Unknown_restart_policies_are_refused(string text)
    {
        var error = Error(Good() with { Restart = text }, "restart");
        Assert.Contains("always, on-crash or never", error.Message);
    }

    // ---------------------------------------------------------------- kernel, initrd, cmdline

    [Fact]
    public void Kernel_initrd_and_cmdline_pass_when_files_exist()
    {
        var spec = Ok(Good() with { Kernel = _kernel, Initrd = _initrd, Cmdline = "console=ttyS0 root=/dev/vda rw" });
        Assert.Equal(_kernel, spec.Kernel);
        Assert.Equal(_initrd, spec.Initrd);
        Assert.Equal("console=ttyS0 root=/dev/vda rw", spec.Cmdline);
    }

    [Theory]
    [InlineData("vmlinuz")]
    [InlineData("./vmlinuz")]
    [InlineData("../boot/vmlinuz")]
    [InlineData("")]
    public void A_relative_kernel_path_is_refused(string kernel)
    {
        var error = Error(Good() with { Kernel = kernel }, "kernel");
        Assert.Contains("absolute path", error.Message);
    }

    [Fact]
    public void A_missing_kernel_file_is_refused()
    {
        var missing = Path.Combine(_dir, "nope");
        var error = Error(Good() with { Kernel = missing }, "kernel");
        Assert.Contains(missing, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void A_kernel_path_with_a_comma_or_control_character_is_refused()
    {
        Error(Good() with { Kernel = "/boot/vm,linuz" }, "kernel");
        var error = Error(Good() with { Kernel = "/boot/vm\nlinuz" }, "kernel");
        Assert.DoesNotContain(error.Message, char.IsControl);
    }

    [Fact]
    public void Initrd_is_checked_like_a_kernel()
    {
        Error(Good() with { Kernel = _kernel, Initrd = "initrd.img" }, "initrd");
        Error(Good() with { Kernel = _kernel, Initrd = Path.Combine(_dir, "missing.img") }, "initrd");
    }

    [Fact]
    public void Initrd_without_kernel_is_refused()
    {
        var error = Error(Good() with { Initrd = _initrd }, "initrd");
        Assert.Equal("initrd needs a kernel", error.Message);
    }

    [Fact]
    public void Cmdline_without_kernel_is_refused()
    {
        var error = Error(Good() with { Cmdline = "console=ttyS0" }, "cmdline");
        Assert.Equal("cmdline needs a kernel", error.Message);
    }

    [Theory]
    [InlineData("console=ttyS0\n")]
    [InlineData("a\tb")]
    [InlineData("a\u0000b")]
    [InlineData("a\u007fb")]
    [InlineData("quiet é")]
    public void Cmdline_with_control_or_non_ascii_characters_is_refused(string cmdline)
    {
        var error = Error(Good() with { Kernel = _kernel, Cmdline = cmdline }, "cmdline");
        Assert.Contains("printable ASCII", error.Message);
    }

    [Fact]
    public void Cmdline_over_the_length_limit_is_refused()
    {
        Ok(Good() with { Kernel = _kernel, Cmdline = new string('a', DomainSpecValidation.MaxCmdlineLength) });
        Error(Good() with { Kernel = _kernel, Cmdline = new string('a', DomainSpecValidation.MaxCmdlineLength + 1) }, "cmdline");
    }

    [Fact]
    public void Fields_are_checked_in_order_and_the_first_error_wins()
    {
        Error(new CreateDomainRequest("../x", 0, 0, ["bad"], "bad", "rel", null, null), "name");
        Error(new CreateDomainRequest("ok", 0, 0, ["bad"], "bad", "rel", null, null), "vcpus");
        Error(new CreateDomainRequest("ok", 1, 0, ["bad"], "bad", "rel", null, null), "memoryMiB");
        Error(new CreateDomainRequest("ok", 1, 64, ["bad"], "bad", "rel", null, null), "disks[0]");
        Error(new CreateDomainRequest("ok", 1, 64, ["1G"], "bad", "rel", null, null), "restart");
        Error(new CreateDomainRequest("ok", 1, 64, ["1G"], null, "rel", null, null), "kernel");
    }
}
