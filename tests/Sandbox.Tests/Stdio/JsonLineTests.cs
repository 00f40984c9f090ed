using System.Text;
using Smcp.Sandbox.Stdio;

namespace Smcp.Sandbox.Tests.Stdio;

public sealed class JsonLineTests
{
    [TestCase("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", true)]
    [TestCase("[{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]", true)]
    [TestCase("Server listening on stdio", false)]
    [TestCase("42", false)]
    [TestCase("\"text\"", false)]
    [TestCase("{\"a\":1} trailing", false)]
    [TestCase("{\"a\":1}{\"b\":2}", false)]
    [TestCase("{\"a\":", false)]
    [TestCase("{\"a\":\r1}", false)]
    public void Only_a_whole_object_or_array_is_a_message(string line, bool expected) =>
        Assert.That(JsonLine.IsMessage(Encoding.UTF8.GetBytes(line)), Is.EqualTo(expected));
}
