using System.Data.Common;

namespace FakeDriver;

/// <summary>Stands in for Npgsql.PostgresException: a driver's DbException from outside System, Orleans and Alerts.</summary>
public sealed class FakePostgresException(string message) : DbException(message);
