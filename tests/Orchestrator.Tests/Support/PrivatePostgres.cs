using System.Net;
using System.Net.Sockets;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>A PostgreSQL 15 cluster of the test's own (initdb into a temp folder, its own port on 127.0.0.1), so a test can stop and start it.</summary>
/// <remarks>The shared test Postgres is never restarted: other suites use it at the same time.</remarks>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";

    private readonly string _directory;
    private readonly int _port;

    private PrivatePostgres(string directory, int port)
    {
        _directory = directory;
        _port = port;
    }

    /// <summary>The superuser's connection to the maintenance database, as SMCP_TEST_PG names the shared one.</summary>
    public string ServerConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres";

    private string Data => Path.Combine(_directory, "data");

    public static async Task<PrivatePostgres> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
        {
            Assert.Fail($"PostgreSQL 15 is not installed ({Bin}/initdb is missing); install it with `. scripts/engine.sh && smcp_start_postgres`.");
        }

        var directory = Directory.CreateTempSubdirectory("smcp-pg-").FullName;
        await MustAsync("chown", $"postgres:postgres {directory}");
        var postgres = new PrivatePostgres(directory, FreePort());
        await MustAsync("runuser", $"-u postgres -- {Bin}/initdb -D {postgres.Data} -U postgres -A trust -E UTF8");
        await postgres.StartServerAsync();
        return postgres;
    }

    /// <summary>Stops the cluster at once (<c>pg_ctl stop -m fast</c>: sessions are disconnected, open transactions rolled back).</summary>
    public Task StopAsync() => MustAsync("runuser", $"-u postgres -- {Bin}/pg_ctl -D {Data} -m fast -w stop");

    public async Task StartServerAsync()
    {
        await MustAsync("runuser", $"-u postgres -- {Bin}/pg_ctl -D {Data} -w -t 60 -l {_directory}/postgres.log "
                                   + $"-o \"-k {_directory} -p {_port} -c listen_addresses=127.0.0.1\" start");
    }

    public async ValueTask DisposeAsync()
    {
        await SmcpServerFixture.RunAsync("runuser", $"-u postgres -- {Bin}/pg_ctl -D {Data} -m immediate -w stop");
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task MustAsync(string file, string arguments)
    {
        var (exitCode, output) = await SmcpServerFixture.RunAsync(file, arguments);
        Assert.That(exitCode, Is.Zero, $"{file} {arguments}:\n{output}");
    }
}
