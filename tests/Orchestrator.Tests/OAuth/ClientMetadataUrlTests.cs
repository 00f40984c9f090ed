using System.Net;
using Smcp.Orchestrator.OAuth;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary>Which client_id values name a metadata document, and which addresses one may be fetched from.</summary>
public sealed class ClientMetadataUrlTests
{
    [TestCase("https://app.example/client.json")]
    [TestCase("https://app.example:8443/oauth/client")]
    [TestCase("https://app.example/client?v=2")]
    public void A_https_url_with_a_path_is_a_metadata_document_id(string clientId) =>
        Assert.That(ClientMetadataDocuments.IsMetadataDocumentId(clientId), Is.True);

    [TestCase("http://app.example/client.json")]
    [TestCase("HTTPS://app.example/client.json")]
    [TestCase("https://app.example")]
    [TestCase("https://app.example/")]
    [TestCase("https://app.example/?q=1")]
    [TestCase("https://app.example/client.json#frag")]
    [TestCase("https://user@app.example/client.json")]
    [TestCase("https://user:pw@app.example/client.json")]
    [TestCase("https://app.example/a/../client.json")]
    [TestCase("https://app.example/./client.json")]
    [TestCase("https://app.example/a/%2E%2E/client.json")]
    [TestCase("https://app.example/client json")]
    [TestCase("https://app.exämple/client.json")]
    [TestCase("8e5a3c2e-random-client-id")]
    [TestCase("")]
    public void Anything_else_is_not(string clientId) =>
        Assert.That(ClientMetadataDocuments.IsMetadataDocumentId(clientId), Is.False);

    [TestCase("https://app.example/cb\r\nSet-Cookie: a=b")]
    [TestCase("https://app.example/caf\u00e9")]
    [TestCase("https://app.example/c b")]
    [TestCase("https://app.example/cb\u007f")]
    [TestCase("https://@app.example/cb")]
    public void A_metadata_documents_redirect_uri_that_could_not_go_into_a_location_header_is_refused(string redirectUri) =>
        Assert.That(MetadataDocumentReader.IsAcceptableRedirectUri(redirectUri), Is.False);

    [TestCase("https://app.example/cb")]
    [TestCase("http://127.0.0.1:7777/callback")]
    [TestCase("https://app.example/cb?x=%C3%A9")]
    public void A_metadata_documents_https_or_loopback_redirect_uri_is_accepted(string redirectUri) =>
        Assert.That(MetadataDocumentReader.IsAcceptableRedirectUri(redirectUri), Is.True);

    [Test]
    public void A_url_over_2_KiB_is_not_a_metadata_document_id()
    {
        Assert.That(ClientMetadataDocuments.IsMetadataDocumentId("https://app.example/" + new string('a', 2028)), Is.True);
        Assert.That(ClientMetadataDocuments.IsMetadataDocumentId("https://app.example/" + new string('a', 2029)), Is.False);
    }

    [TestCase("8.8.8.8")]
    [TestCase("1.1.1.1")]
    [TestCase("100.63.255.255")]
    [TestCase("100.128.0.0")]
    [TestCase("172.32.0.1")]
    [TestCase("2606:4700:4700::1111")]
    [TestCase("2001:4860:4860::8888")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("2002:0808:0808::1")]
    public void Public_unicast_addresses_are_public(string address) =>
        Assert.That(PublicAddress.IsPublic(IPAddress.Parse(address)), Is.True);

    [TestCase("127.0.0.1")]
    [TestCase("127.255.255.254")]
    [TestCase("10.1.2.3")]
    [TestCase("172.16.0.1")]
    [TestCase("172.31.255.255")]
    [TestCase("192.168.1.1")]
    [TestCase("100.64.0.1")]
    [TestCase("100.127.255.255")]
    [TestCase("169.254.169.254")]
    [TestCase("0.0.0.0")]
    [TestCase("0.1.2.3")]
    [TestCase("224.0.0.1")]
    [TestCase("239.255.255.250")]
    [TestCase("240.0.0.1")]
    [TestCase("255.255.255.255")]
    [TestCase("192.0.2.1")]
    [TestCase("198.51.100.1")]
    [TestCase("203.0.113.1")]
    [TestCase("198.18.0.1")]
    [TestCase("::")]
    [TestCase("::1")]
    [TestCase("::127.0.0.1")]
    [TestCase("fe80::1")]
    [TestCase("febf::1")]
    [TestCase("fec0::1")]
    [TestCase("fc00::1")]
    [TestCase("fd12:3456::1")]
    [TestCase("ff02::1")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("::ffff:10.0.0.1")]
    [TestCase("::ffff:169.254.169.254")]
    [TestCase("::ffff:100.64.0.1")]
    [TestCase("::ffff:0.0.0.0")]
    [TestCase("64:ff9b::7f00:1")]
    [TestCase("64:ff9b::a9fe:a9fe")]
    [TestCase("2002:7f00:0001::1")]
    [TestCase("2002:c0a8:0101::1")]
    [TestCase("2001:db8::1")]
    [TestCase("3fff::1")]
    [TestCase("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [TestCase("100::1")]
    public void Loopback_private_link_local_and_special_addresses_are_not(string address) =>
        Assert.That(PublicAddress.IsPublic(IPAddress.Parse(address)), Is.False);
}
