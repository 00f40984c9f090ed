using Smcp.Orchestrator.Images;

namespace Smcp.Orchestrator.Tests.Vetting;

public sealed class UploadReservationsTests
{
    private const long Mi = 1L << 20;

    [Test]
    public void Uploads_beyond_the_limit_are_busy_until_one_is_released()
    {
        var reservations = new UploadReservations();
        var first = (UploadReservation.Granted)reservations.TryReserve("acme", 2, 10 * Mi, 100 * Mi, 0);
        reservations.TryReserve("acme", 2, 10 * Mi, 100 * Mi, 0);

        Assert.That(reservations.TryReserve("acme", 2, 10 * Mi, 100 * Mi, 0), Is.EqualTo(new UploadReservation.Busy(2)));
        Assert.That(reservations.TryReserve("beta", 2, 10 * Mi, 100 * Mi, 0), Is.InstanceOf<UploadReservation.Granted>(), "another tenant is not affected");
        first.Lease.Dispose();
        first.Lease.Dispose();
        Assert.That(reservations.TryReserve("acme", 2, 10 * Mi, 100 * Mi, 0), Is.InstanceOf<UploadReservation.Granted>());
        Assert.That(reservations.TryReserve("acme", 2, 10 * Mi, 100 * Mi, 0), Is.InstanceOf<UploadReservation.Busy>(), "a second dispose released nothing more");
    }

    [Test]
    public void An_upload_in_flight_holds_its_cap_then_only_its_size()
    {
        var reservations = new UploadReservations();
        var first = (UploadReservation.Granted)reservations.TryReserve("acme", 3, 8 * Mi, 12 * Mi, 2 * Mi);
        Assert.That(first.Lease.CapBytes, Is.EqualTo(8 * Mi));

        var second = (UploadReservation.Granted)reservations.TryReserve("acme", 3, 8 * Mi, 12 * Mi, 2 * Mi);
        Assert.That(second.Lease.CapBytes, Is.EqualTo(2 * Mi), "12 total - 2 stored - 8 in flight");
        Assert.That(reservations.TryReserve("acme", 3, 8 * Mi, 12 * Mi, 2 * Mi), Is.EqualTo(new UploadReservation.NoRoom(2 * Mi, 10 * Mi)));

        first.Lease.ShrinkTo(1 * Mi);
        Assert.That(((UploadReservation.Granted)reservations.TryReserve("acme", 3, 8 * Mi, 12 * Mi, 2 * Mi)).Lease.CapBytes, Is.EqualTo(7 * Mi));
    }
}
