using Smcp.Sandbox;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSmcpSandbox(options => builder.Configuration.GetSection(SandboxOptions.Section).Bind(options));

using var host = builder.Build();
try
{
    // Runs the sandbox layer's start-up: the runtime check and the removal of leftover containers.
    await host.StartAsync();
    Console.WriteLine("SMCP: container engine ready (runtime checked, leftovers removed). The control plane and proxy are not there yet.");
    await host.StopAsync();
    return 0;
}
catch (SandboxException ex)
{
    Console.Error.WriteLine($"smcp: {ex.Message}");
    return 1;
}
