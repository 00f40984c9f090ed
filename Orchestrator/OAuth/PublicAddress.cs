using System.Net;
using System.Net.Sockets;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Whether an IP address is public unicast, the only kind a client metadata document is fetched from by default.</summary>
/// <remarks>
/// Deny by default: anything not an IPv4 or IPv6 address outside the special-purpose ranges (RFC 6890 and its
/// successors) is refused, and IPv4 carried inside IPv6 (mapped, compatible, NAT64, 6to4, Teredo) is judged by the
/// IPv4 address it carries, so no spelling of a private address slips through.
/// </remarks>
internal static class PublicAddress
{
    private static readonly (uint Network, int Prefix)[] NonPublicV4 =
    [
        (0x00000000, 8),    // 0.0.0.0/8 "this network"
        (0x0A000000, 8),    // 10/8 private
        (0x64400000, 10),   // 100.64/10 carrier-grade NAT
        (0x7F000000, 8),    // 127/8 loopback
        (0xA9FE0000, 16),   // 169.254/16 link-local (cloud metadata services live here)
        (0xAC100000, 12),   // 172.16/12 private
        (0xC0000000, 24),   // 192.0.0/24 IETF protocol assignments
        (0xC0000200, 24),   // 192.0.2/24 TEST-NET-1
        (0xC0586300, 24),   // 192.88.99/24 6to4 relay anycast
        (0xC0A80000, 16),   // 192.168/16 private
        (0xC6120000, 15),   // 198.18/15 benchmarking
        (0xC6336400, 24),   // 198.51.100/24 TEST-NET-2
        (0xCB007100, 24),   // 203.0.113/24 TEST-NET-3
        (0xE0000000, 4),    // 224/4 multicast
        (0xF0000000, 4),    // 240/4 reserved, and 255.255.255.255 broadcast
    ];

    public static bool IsPublic(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => IsPublicV4(address),
        AddressFamily.InterNetworkV6 => IsPublicV6(address),
        _ => false,
    };

    private static bool IsPublicV4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        foreach (var (network, prefix) in NonPublicV4)
        {
            var mask = uint.MaxValue << (32 - prefix);
            if ((value & mask) == network)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPublicV6(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublicV4(address.MapToIPv4());
        }

        // ::/96 holds ::, ::1 and the deprecated IPv4-compatible addresses: none is a public unicast target.
        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return false;
        }

        // 64:ff9b::/96 NAT64 and 64:ff9b:1::/48 local-use NAT64: judged by the IPv4 address they translate to.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)
        {
            return b[4..12].IndexOfAnyExcept((byte)0) < 0 && IsPublicV4(new IPAddress(b[12..]));
        }

        // 2002::/16 6to4 carries an IPv4 address in bytes 2-5.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(new IPAddress(b[2..6]));
        }

        // 2001::/32 Teredo hides the client's IPv4 address; 2001:db8::/32 is documentation; 2001:2::/48 benchmarking;
        // 2001:10::/28 ORCHID. Refused outright rather than decoded.
        if (b[0] == 0x20 && b[1] == 0x01 && (
            (b[2] == 0x00 && b[3] == 0x00) ||
            (b[2] == 0x0D && b[3] == 0xB8) ||
            (b[2] == 0x00 && b[3] == 0x02 && b[4] == 0x00 && b[5] == 0x00) ||
            (b[2] == 0x00 && (b[3] & 0xF0) == 0x10)))
        {
            return false;
        }

        // 2000::/3 is the only global unicast space allocated: fc00::/7 unique-local, fe80::/10 link-local,
        // fec0::/10 site-local, ff00::/8 multicast, 100::/64 discard and the rest fall outside it.
        return (b[0] & 0xE0) == 0x20 && !(b[0] == 0x3F && b[1] == 0xFF && (b[2] & 0xF0) == 0x00);
    }
}
