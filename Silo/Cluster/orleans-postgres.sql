-- Alerts: PostgreSQL schema for Orleans' ADO.NET providers (clustering, grain persistence, reminders).
--
-- Applied by PostgresSchema.ApplyAsync (`dotnet run --project Silo -- migrate`) inside one transaction
-- holding an advisory lock, and checked by PostgresSchema.CheckAsync when a silo starts.
--
-- How the providers use this database: at start-up each provider runs
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and from then on executes the stored text of a query by its key, binding named parameters
-- (@DeploymentId, @GrainIdHash, ...) and reading result columns by name. So what must match the
-- providers is: the OrleansQuery table, the query keys, the parameter names and the result columns.
-- Everything else (tables, indexes, functions) is ours. The tables keep Orleans' usual names so that
-- anyone who knows Orleans recognises them; the functions are ours and prefixed alerts_orleans_.
--
-- Re-running the script is safe and changes nothing: tables and indexes are created only when missing,
-- functions are replaced by identical text, query rows are only rewritten when their text differs,
-- and the recorded schema version never goes down.
--
-- When this script changes in a way existing databases need, bump the version at the end AND
-- PostgresSchema.Version together, and write the change so that it also upgrades an existing database
-- (ALTER ... IF NOT EXISTS etc.), because this one script is both the install and the upgrade.

-- ---------------------------------------------------------------------------------------------
-- Bookkeeping
-- ---------------------------------------------------------------------------------------------

-- One row per schema component this product owns; CheckAsync compares the 'orleans' row with the
-- version the running build expects.
CREATE TABLE IF NOT EXISTS alerts_schema
(
    component text PRIMARY KEY,
    version   int  NOT NULL
);

-- The providers read every row of this table at start-up; the table and column names are fixed by them.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- ---------------------------------------------------------------------------------------------
-- Clustering (membership)
-- ---------------------------------------------------------------------------------------------

-- One row per cluster (the provider calls the cluster id "DeploymentId"). Version is the optimistic
-- concurrency token of the whole membership table: every insert/update of a silo row must name the
-- version it read and bumps it by one, so two silos cannot both act on the same view of the cluster.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId text           NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      int            NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port and generation identify it). Status holds Orleans'
-- SiloStatus as a number (3 = Active, 6 = Dead). SuspectTimes is the provider's own text encoding.
-- Deleting the version row of a cluster removes its silo rows too (ON DELETE CASCADE), which is what
-- DeleteMembershipTableEntriesKey relies on.
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId text           NOT NULL,
    Address      text           NOT NULL,
    Port         int            NOT NULL,
    Generation   int            NOT NULL,
    SiloName     text           NOT NULL,
    HostName     text           NOT NULL,
    Status       int            NOT NULL,
    ProxyPort    int            NULL,
    SuspectTimes text           NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE
);

-- Adds a silo row if, and only if, it is new and the cluster is still at the version the caller read.
-- Returns 1 when both happened, 0 otherwise (the provider treats 0 as "lost the race, re-read").
-- No exception block is needed to undo half the work: the row is inserted first, and if the version
-- check then fails the row we just inserted (invisible to everyone else until commit) is deleted again.
-- Lock order is silo row, then version row, the same as in alerts_orleans_membership_update, so
-- concurrent membership writers queue up on the version row instead of deadlocking.
CREATE OR REPLACE FUNCTION alerts_orleans_membership_insert(
    p_deployment_id text,
    p_address       text,
    p_port          int,
    p_generation    int,
    p_silo_name     text,
    p_host_name     text,
    p_status        int,
    p_proxy_port    int,
    p_start_time    timestamptz,
    p_i_am_alive    timestamptz,
    p_version       int)
RETURNS int
LANGUAGE plpgsql
AS $fn$
BEGIN
    INSERT INTO OrleansMembershipTable AS m
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port, p_start_time, p_i_am_alive)
    ON CONFLICT ON CONSTRAINT PK_MembershipTable_DeploymentId DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;  -- this silo incarnation is already registered
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id AND Version = p_version;
    IF NOT FOUND THEN
        -- Someone changed the membership since the caller read it: take our row back out.
        DELETE FROM OrleansMembershipTable
        WHERE DeploymentId = p_deployment_id AND Address = p_address AND Port = p_port AND Generation = p_generation;
        RETURN 0;
    END IF;

    RETURN 1;
END
$fn$;

-- Changes a silo row's status/suspicions if, and only if, the row exists and the cluster is still at
-- the version the caller read. Returns 1 on success, 0 otherwise. The silo row is locked first so a
-- concurrent cleanup cannot delete it between the version bump and the update.
CREATE OR REPLACE FUNCTION alerts_orleans_membership_update(
    p_deployment_id text,
    p_address       text,
    p_port          int,
    p_generation    int,
    p_status        int,
    p_suspect_times text,
    p_i_am_alive    timestamptz,
    p_version       int)
RETURNS int
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM 1
    FROM OrleansMembershipTable
    WHERE DeploymentId = p_deployment_id AND Address = p_address AND Port = p_port AND Generation = p_generation
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id AND Version = p_version;
    IF NOT FOUND THEN
        RETURN 0;  -- stale view of the cluster; nothing has been changed
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = p_i_am_alive
    WHERE DeploymentId = p_deployment_id AND Address = p_address AND Port = p_port AND Generation = p_generation;

    RETURN 1;
END
$fn$;

-- ---------------------------------------------------------------------------------------------
-- Grain persistence
-- ---------------------------------------------------------------------------------------------

-- One row per grain state. The provider identifies a grain by two hashes (of the grain id and of the
-- grain type) plus the id's numeric halves, an optional string part, the type name and the service.
-- Version is the state's ETag: 1 after the first write, +1 on every write/clear.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            int         NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          int         NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NULL,
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL,
    Version                int         NULL
);

-- At most one row per grain state, enforced by the database rather than by "insert if not exists",
-- which under READ COMMITTED lets two racing first writes both insert. The extension string may be
-- NULL, so it is indexed as (coalesce, is-null) to make NULL and '' distinct but each unique.
-- The hashes lead because every query filters on them, so this index also serves the lookups.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, ServiceId, GrainIdN0, GrainIdN1, GrainTypeString,
                       coalesce(GrainIdExtensionString, ''), (GrainIdExtensionString IS NULL));

-- Writes a grain state and returns the new version (the new ETag), or NULL when the write was refused:
-- the caller's ETag is not the stored one, or the caller had no ETag but a row already exists.
-- The provider raises InconsistentStateException for NULL. It must always get exactly one row back:
-- an empty result for an ETag-less write would be taken as success.
CREATE OR REPLACE FUNCTION alerts_orleans_storage_write(
    p_grain_id_hash   int,
    p_grain_id_n0     bigint,
    p_grain_id_n1     bigint,
    p_grain_type_hash int,
    p_grain_type      text,
    p_grain_id_ext    text,
    p_service_id      text,
    p_version         int,
    p_payload         bytea)
RETURNS TABLE (NewGrainStateVersion int)
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new int;
BEGIN
    IF p_version IS NULL THEN
        -- First write of this state (as far as the caller knows).
        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
             ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES
            (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type, p_grain_id_ext,
             p_service_id, p_payload, now(), 1)
        ON CONFLICT DO NOTHING
        RETURNING Version INTO v_new;
    ELSE
        UPDATE OrleansStorage
        SET PayloadBinary = p_payload, ModifiedOn = now(), Version = Version + 1
        WHERE GrainIdHash = p_grain_id_hash
          AND GrainTypeHash = p_grain_type_hash
          AND ServiceId = p_service_id
          AND GrainIdN0 = p_grain_id_n0
          AND GrainIdN1 = p_grain_id_n1
          AND GrainTypeString = p_grain_type
          AND GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_ext
          AND Version = p_version
        RETURNING Version INTO v_new;
    END IF;

    RETURN QUERY SELECT v_new;
END
$fn$;

-- ---------------------------------------------------------------------------------------------
-- Reminders
-- ---------------------------------------------------------------------------------------------

-- One row per (service, grain, reminder name). GrainHash places the reminder on the silo ring; the
-- provider passes the unsigned hash as a signed int, hence the two range queries below. Period is in
-- milliseconds. Version is the reminder's ETag, starting at 0.
CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    text           NOT NULL,
    GrainId      text           NOT NULL,
    ReminderName text           NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    int            NOT NULL,
    Version      int            NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Silos load the reminders of their slice of the ring by hash range.
CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_hash
    ON OrleansRemindersTable (ServiceId, GrainHash);

-- ---------------------------------------------------------------------------------------------
-- The queries, by key. Rows are rewritten only when the text differs, so a re-run is a no-op.
-- Result column names matter (the providers read them by name); PostgreSQL folds unquoted names to
-- lower case and the providers' look-up is case-insensitive.
-- ---------------------------------------------------------------------------------------------

INSERT INTO OrleansQuery AS q (QueryKey, QueryText)
VALUES

-- Clustering ----------------------------------------------------------------------------------

-- Called once per silo start: make sure the cluster has its version row. Returns 1 if it was created
-- now, 0 if it existed (both are fine for the provider, it only logs the difference).
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT count(*)::int FROM created;
$q$),

('InsertMembershipKey', $q$
SELECT alerts_orleans_membership_insert(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
    @StartTime, @IAmAliveTime, @Version);
$q$),

('UpdateMembershipKey', $q$
SELECT alerts_orleans_membership_update(
    @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);
$q$),

-- The heartbeat. Deliberately does not bump the table version: liveness is judged from IAmAliveTime,
-- and bumping would make every heartbeat conflict with real membership changes.
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$),

-- Both reads start from the version row and LEFT JOIN the silos: the provider needs the version even
-- when no silo row matches (it recognises "no silo" by a NULL StartTime).
('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),

('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- What clients connect to: silos in the requested status (the provider asks for Active) that listen
-- as a gateway.
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

-- Removes a whole cluster's membership; the silo rows go with the version row (ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipVersionTable
WHERE DeploymentId = @DeploymentId;
$q$),

-- Housekeeping of old incarnations: rows of silos that are not Active (3) and have not sent a
-- heartbeat since @IAmAliveTime (the provider passes now minus the defunct-silo expiry).
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;
$q$),

-- Grain persistence -----------------------------------------------------------------------------

('WriteToStorageKey', $q$
SELECT NewGrainStateVersion
FROM alerts_orleans_storage_write(
    @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
    @ServiceId, @GrainStateVersion, @PayloadBinary);
$q$),

-- No row means "never written" (the provider creates a default state and a NULL ETag). A row with a
-- NULL payload means "cleared": the ETag is still returned so the next write can succeed.
('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString::text;
$q$),

-- ClearStateAsync (default): keep the row, drop the payload, bump the ETag. No row back means the
-- caller's ETag was stale, which the provider reports as InconsistentStateException.
('ClearStorageKey', $q$
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString::text
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),

-- ClearStateAsync with DeleteStateOnClear = true: remove the row. The provider wants a value that
-- differs from the old ETag to know it worked (it then forgets the ETag), hence Version + 1.
('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString::text
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$),

-- Reminders -------------------------------------------------------------------------------------

-- Register or re-register: a new reminder starts at version 0, a re-registration bumps it. Returns the
-- new version (the reminder's new ETag).
('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
    SET StartTime = EXCLUDED.StartTime,
        Period    = EXCLUDED.Period,
        GrainHash = EXCLUDED.GrainHash,
        Version   = r.Version + 1
RETURNING r.Version AS Version;
$q$),

('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
$q$),

('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
$q$),

-- A ring slice that does not wrap around (begin < end as signed ints): (begin, end].
('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
$q$),

-- A slice that wraps around (or the whole ring when begin = end): above begin or up to end.
('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$),

-- Unregister, only at the caller's ETag. The provider reads one row with one column: > 0 = removed.
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
      AND Version = @Version
    RETURNING 1
)
SELECT count(*)::int FROM removed;
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId;
$q$)

ON CONFLICT (QueryKey) DO UPDATE
    SET QueryText = EXCLUDED.QueryText
    WHERE q.QueryText IS DISTINCT FROM EXCLUDED.QueryText;

-- ---------------------------------------------------------------------------------------------
-- Record the version last: if anything above failed, the transaction rolls back and no version is
-- claimed. GREATEST keeps an older script from lowering a newer database's version.
-- ---------------------------------------------------------------------------------------------

INSERT INTO alerts_schema AS s (component, version)
VALUES ('orleans', 1)
ON CONFLICT (component) DO UPDATE
    SET version = GREATEST(s.version, EXCLUDED.version)
    WHERE s.version IS DISTINCT FROM GREATEST(s.version, EXCLUDED.version);
