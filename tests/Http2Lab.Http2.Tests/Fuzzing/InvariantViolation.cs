namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>An invariant of the session broke; the driver adds the seed, the step and the input to the message.</summary>
internal sealed class InvariantViolation(string message) : Exception(message)
{
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolation(message);
        }
    }
}
