using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>Data Protection's key ring kept in this process's memory only: never written to disk in the clear, gone at exit.</summary>
internal sealed class InMemoryKeyRepository : IXmlRepository
{
    private readonly Lock _gate = new();
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_gate)
        {
            return [.. _elements.Select(element => new XElement(element))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_gate)
        {
            _elements.Add(new XElement(element));
        }
    }
}
