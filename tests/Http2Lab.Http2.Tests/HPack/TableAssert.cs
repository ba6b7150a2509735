using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

internal static class TableAssert
{
    /// <summary>Reads a dynamic table newest-first, as the RFC prints it.</summary>
    public static (string Name, string Value)[] Entries(DynamicTable table)
    {
        var entries = new (string, string)[table.Count];
        for (int i = 0; i < table.Count; i++)
        {
            entries[i] = (Encoding.Latin1.GetString(table.GetName(i)), Encoding.Latin1.GetString(table.GetValue(i)));
        }

        return entries;
    }

    public static void Equal((string Name, string Value)[] expected, int expectedSize, DynamicTable actual)
    {
        Assert.Equal(expected, Entries(actual));
        Assert.Equal(expectedSize, actual.Size);
    }
}
