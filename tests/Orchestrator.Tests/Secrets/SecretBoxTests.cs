using System.Security.Cryptography;
using Smcp.Orchestrator.Secrets;

namespace Smcp.Orchestrator.Tests.Secrets;

public sealed class SecretBoxTests
{
    private const string Value = "sk-live-0123456789abcdef";

    private MasterKey master = null!;
    private SecretBox box = null!;

    [SetUp]
    public void CreateBox()
    {
        master = NewMasterKey();
        box = new SecretBox(master);
    }

    [TearDown]
    public void DisposeKey() => master.Dispose();

    [Test]
    public void A_secret_round_trips_through_a_wrapped_data_key()
    {
        var wrapped = box.WrapNewDataKey("acme");
        byte[] ciphertext;
        using (var key = box.UnwrapDataKey("acme", wrapped))
        {
            ciphertext = box.Encrypt(key, "notes", "API_TOKEN", Value);
        }

        using var again = box.UnwrapDataKey("acme", wrapped);

        Assert.That(box.Decrypt(again, "notes", "API_TOKEN", ciphertext), Is.EqualTo(Value));
        Assert.That(wrapped.Length, Is.EqualTo(1 + 12 + 16 + 32));
        Assert.That(wrapped[0], Is.EqualTo(1));
    }

    [Test]
    public void Unicode_and_empty_values_round_trip()
    {
        using var key = box.UnwrapDataKey("acme", box.WrapNewDataKey("acme"));

        Assert.That(box.Decrypt(key, "notes", "A", box.Encrypt(key, "notes", "A", "pässwörd ✓")), Is.EqualTo("pässwörd ✓"));
        Assert.That(box.Decrypt(key, "notes", "B", box.Encrypt(key, "notes", "B", "")), Is.EqualTo(""));
    }

    [TestCase("other", "notes", "API_TOKEN")]
    [TestCase("acme", "other", "API_TOKEN")]
    [TestCase("acme", "notes", "OTHER")]
    [TestCase("acme", "notesA", "PI_TOKEN")]
    public void A_ciphertext_moved_to_another_tenant_server_or_name_does_not_decrypt(string tenant, string server, string name)
    {
        var wrapped = box.WrapNewDataKey("acme");
        using var key = box.UnwrapDataKey("acme", wrapped);
        var ciphertext = box.Encrypt(key, "notes", "API_TOKEN", Value);
        using var moved = new DataKey(tenant, key.Bytes.ToArray());

        var error = Assert.Throws<SecretDecryptionException>(() => box.Decrypt(moved, server, name, ciphertext));

        Assert.That(error.Message.Contains(Value, StringComparison.Ordinal), Is.EqualTo(false));
    }

    [Test]
    public void A_wrapped_data_key_does_not_unwrap_for_another_tenant()
    {
        var wrapped = box.WrapNewDataKey("acme");

        var error = Assert.Throws<SecretDecryptionException>(() => box.UnwrapDataKey("globex", wrapped));

        Assert.That(error.Message, Is.EqualTo(
            "The data key of tenant 'globex' could not be unwrapped: it was altered, belongs to another tenant, or was wrapped under a different master key."));
    }

    [Test]
    public void A_different_master_key_does_not_unwrap_a_data_key()
    {
        var wrapped = box.WrapNewDataKey("acme");
        using var otherMaster = NewMasterKey();

        Assert.Throws<SecretDecryptionException>(() => new SecretBox(otherMaster).UnwrapDataKey("acme", wrapped));
    }

    [Test]
    public void Any_flipped_bit_in_a_secret_makes_it_fail_to_decrypt()
    {
        using var key = box.UnwrapDataKey("acme", box.WrapNewDataKey("acme"));
        var ciphertext = box.Encrypt(key, "notes", "API_TOKEN", Value);
        var failures = 0;

        for (var bit = 0; bit < ciphertext.Length * 8; bit++)
        {
            var tampered = ciphertext.ToArray();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            try
            {
                box.Decrypt(key, "notes", "API_TOKEN", tampered);
            }
            catch (SecretDecryptionException)
            {
                failures++;
            }
        }

        Assert.That(failures, Is.EqualTo(ciphertext.Length * 8));
    }

    [Test]
    public void A_flipped_bit_in_a_wrapped_data_key_makes_it_fail_to_unwrap()
    {
        var wrapped = box.WrapNewDataKey("acme");
        wrapped[^1] ^= 0x01;

        Assert.Throws<SecretDecryptionException>(() => box.UnwrapDataKey("acme", wrapped));
    }

    [Test]
    public void A_truncated_ciphertext_fails_to_decrypt()
    {
        using var key = box.UnwrapDataKey("acme", box.WrapNewDataKey("acme"));
        var ciphertext = box.Encrypt(key, "notes", "API_TOKEN", Value);

        Assert.Throws<SecretDecryptionException>(() => box.Decrypt(key, "notes", "API_TOKEN", ciphertext.AsSpan(0, 20).ToArray()));
    }

    [Test]
    public void The_same_value_encrypts_differently_each_time()
    {
        using var key = box.UnwrapDataKey("acme", box.WrapNewDataKey("acme"));

        var first = box.Encrypt(key, "notes", "API_TOKEN", Value);
        var second = box.Encrypt(key, "notes", "API_TOKEN", Value);

        Assert.That(first.AsSpan(1, 12).SequenceEqual(second.AsSpan(1, 12)), Is.EqualTo(false));
        Assert.That(first.AsSpan(29).SequenceEqual(second.AsSpan(29)), Is.EqualTo(false));
    }

    [Test]
    public void Two_tenants_get_different_data_keys()
    {
        using var acme = box.UnwrapDataKey("acme", box.WrapNewDataKey("acme"));
        using var globex = box.UnwrapDataKey("globex", box.WrapNewDataKey("globex"));

        Assert.That(acme.Bytes.SequenceEqual(globex.Bytes), Is.EqualTo(false));
    }

    [Test]
    public void A_disposed_data_key_is_zeroed_and_unusable_and_never_printed()
    {
        var key = box.UnwrapDataKey("acme", box.WrapNewDataKey("acme"));
        var ciphertext = box.Encrypt(key, "notes", "API_TOKEN", Value);

        key.Dispose();

        Assert.That(key.ToString(), Is.EqualTo("DataKey(acme, [redacted])"));
        Assert.Throws<ObjectDisposedException>(() => box.Decrypt(key, "notes", "API_TOKEN", ciphertext));
    }

    private static MasterKey NewMasterKey() => MasterKey.Parse(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
}
