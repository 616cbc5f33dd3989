namespace Warden.Statistics.Internal;

/// <summary>
/// A running sum with Neumaier's compensation: the rounding error of each addition is carried in a second word, so
/// the result is as accurate as summing in roughly twice the precision. Windows that merge use it so that merging
/// two partial sums agrees with summing the concatenation to the last bit or so, whatever the order.
/// </summary>
internal struct CompensatedSum
{
    public CompensatedSum(double sum, double compensation)
    {
        Sum = sum;
        Compensation = compensation;
    }

    /// <summary>The running sum without the compensation.</summary>
    public double Sum { get; private set; }

    /// <summary>The accumulated rounding error.</summary>
    public double Compensation { get; private set; }

    /// <summary>The compensated total.</summary>
    public readonly double Value => Sum + Compensation;

    public void Add(double value)
    {
        var t = Sum + value;
        Compensation += Math.Abs(Sum) >= Math.Abs(value) ? (Sum - t) + value : (value - t) + Sum;
        Sum = t;
    }

    public void Add(CompensatedSum other)
    {
        Add(other.Sum);
        Add(other.Compensation);
    }
}
