using Smcp.Orchestrator.Secrets;

namespace Smcp.Orchestrator.Tests.Secrets;

public sealed class MasterKeyTests
{
    [Test]
    public void A_base64_key_of_32_bytes_loads()
    {
        using var key = MasterKey.Parse(Convert.ToBase64String(new byte[32]) + "\n");

        Assert.That(key.ToString(), Is.EqualTo("MasterKey([redacted])"));
    }

    [Test]
    public void A_missing_key_says_which_variable_to_set_and_how_to_make_one()
    {
        var error = Assert.Throws<MasterKeyException>(() => MasterKey.Parse(null));

        Assert.That(error.Message, Is.EqualTo(
            "SMCP_MASTER_KEY is not set. Set SMCP_MASTER_KEY to 32 random bytes in base64, made with `head -c 32 /dev/urandom | base64`, "
            + "and keep a copy somewhere safe: without it no stored secret can be read."));
    }

    [Test]
    public void A_short_key_is_refused_without_echoing_it()
    {
        var value = Convert.ToBase64String("sixteen-byte-key"u8);

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.Parse(value));

        Assert.That(error.Message.StartsWith("SMCP_MASTER_KEY decodes to 16 bytes; it must be exactly 32.", StringComparison.Ordinal), Is.EqualTo(true));
        Assert.That(error.Message.Contains(value, StringComparison.Ordinal), Is.EqualTo(false));
        Assert.That(error.Message.Contains("sixteen", StringComparison.Ordinal), Is.EqualTo(false));
    }

    [Test]
    public void A_long_key_is_refused()
    {
        var error = Assert.Throws<MasterKeyException>(() => MasterKey.Parse(Convert.ToBase64String(new byte[48])));

        Assert.That(error.Message.StartsWith("SMCP_MASTER_KEY decodes to 48 bytes", StringComparison.Ordinal), Is.EqualTo(true));
    }

    [Test]
    public void A_key_that_is_not_base64_is_refused_without_echoing_it()
    {
        const string value = "not-base64-but-a-secret-passphrase!!";

        var error = Assert.Throws<MasterKeyException>(() => MasterKey.Parse(value));

        Assert.That(error.Message.StartsWith("SMCP_MASTER_KEY is not valid base64.", StringComparison.Ordinal), Is.EqualTo(true));
        Assert.That(error.Message.Contains("passphrase", StringComparison.Ordinal), Is.EqualTo(false));
    }

    [Test]
    public void The_key_is_read_from_SMCP_MASTER_KEY()
    {
        // Only this fixture touches SMCP_MASTER_KEY, and its tests run one after another.
        var before = Environment.GetEnvironmentVariable(MasterKey.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(MasterKey.EnvironmentVariable, Convert.ToBase64String(new byte[32]));
            using var key = MasterKey.FromEnvironment();
            Environment.SetEnvironmentVariable(MasterKey.EnvironmentVariable, null);
            var error = Assert.Throws<MasterKeyException>(() => MasterKey.FromEnvironment());

            Assert.That(error.Message.StartsWith("SMCP_MASTER_KEY is not set.", StringComparison.Ordinal), Is.EqualTo(true));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MasterKey.EnvironmentVariable, before);
        }
    }
}
