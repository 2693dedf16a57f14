-- dataprof profile schema, migration 001.
--
-- The tables of dataprof.profiling.models (TableProfile, ColumnProfile, Anomaly), Row Level
-- Security for Supabase's API roles, and the SQL functions every store calls (one call, one
-- transaction). Safe to run twice: every statement is idempotent. Runs on Supabase and on a
-- plain PostgreSQL 15+ (where it creates the API roles and auth.uid() if they are missing).
-- `dataprof db migrate` runs it in one transaction and records version 001 in
-- supabase_migrations.schema_migrations, the table `supabase db push` uses, so both agree.
-- The file ships inside the dataprof-core wheel (dataprof/stores/migrations/).

-- Supabase's API roles and auth.uid(), where this is not Supabase -------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

create schema if not exists auth;

do $$
begin
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
      language sql stable
      as $f$
        select nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'sub', '')::uuid
      $f$;
  end if;
end
$$;

grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

-- Enums: the labels are dataprof's RunStatus and Severity values ---------------------------
do $$
begin
  if to_regtype('public.profile_run_status') is null then
    create type public.profile_run_status as enum ('running', 'succeeded', 'failed');
  end if;
  if to_regtype('public.anomaly_severity') is null then
    create type public.anomaly_severity as enum ('low', 'medium', 'high', 'critical');
  end if;
end
$$;

-- Tables -----------------------------------------------------------------------------------
create table if not exists public.data_sources (
  id uuid primary key default gen_random_uuid(),
  source_type text not null,
  name text,
  connection_config jsonb not null default '{}'::jsonb,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint data_sources_source_type_name_key unique nulls not distinct (source_type, name)
);
comment on column public.data_sources.connection_config is
  'Connection parameters; secret-keyed values only as ${NAME} references, never literals';

create table if not exists public.datasets (
  id uuid primary key default gen_random_uuid(),
  source_id uuid not null references public.data_sources (id) on delete cascade,
  database_name text not null,
  table_name text not null,
  schema_info jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint datasets_source_database_table_key unique (source_id, database_name, table_name)
);

create table if not exists public.profile_runs (
  id uuid primary key,
  dataset_id uuid not null references public.datasets (id) on delete cascade,
  status public.profile_run_status not null default 'running',
  mode text not null,
  started_at timestamptz not null,
  completed_at timestamptz,
  error_message text,
  step_functions_execution_arn text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on column public.profile_runs.details is
  'The profile of a run without a profile_results row (failed, running), as dataprof encodes it';

create table if not exists public.profile_results (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references public.profile_runs (id) on delete cascade,
  dataset_id uuid not null references public.datasets (id) on delete cascade,
  row_count bigint not null check (row_count >= 0),
  column_count integer not null check (column_count >= 0),
  sampled boolean not null default false,
  sample_size bigint check (sample_size >= 0),
  s3_full_profile_uri text,
  profiled_at timestamptz not null,
  snapshot_id bigint,
  row_count_exact boolean not null default true,
  schema_fields jsonb not null default '[]'::jsonb,
  field_ids jsonb not null default '[]'::jsonb,
  notes jsonb not null default '[]'::jsonb,
  columns_requested jsonb,
  sketches jsonb not null default '[]'::jsonb,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on column public.profile_results.details is
  'TableProfile fields without a column of their own (sample_seed, history_comparison, later ones)';

create table if not exists public.column_profiles (
  id uuid primary key default gen_random_uuid(),
  result_id uuid not null references public.profile_results (id) on delete cascade,
  ordinal integer not null check (ordinal >= 0),
  column_name text not null,
  field_id bigint,
  data_type text not null,
  inferred_type text not null,
  supported boolean not null default true,
  unsupported_reason text,
  row_count bigint not null check (row_count >= 0),
  null_count bigint check (null_count >= 0),
  null_percentage double precision check (null_percentage between 0 and 100),
  distinct_count bigint check (distinct_count >= 0),
  distinct_percentage double precision check (distinct_percentage between 0 and 100),
  min_value jsonb,
  max_value jsonb,
  mean_value double precision,
  median_value jsonb,
  std_dev double precision,
  top_values jsonb not null default '[]'::jsonb,
  metrics jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now()
);

create table if not exists public.profile_anomalies (
  id uuid primary key default gen_random_uuid(),
  result_id uuid not null references public.profile_results (id) on delete cascade,
  ordinal integer not null check (ordinal >= 0),
  column_name text,
  anomaly_type text not null,
  severity public.anomaly_severity not null,
  description text not null,
  value jsonb,
  threshold jsonb,
  metadata jsonb not null default '[]'::jsonb,
  detector text not null default '',
  created_at timestamptz not null default now()
);

-- Indexes: the queries of the functions below (tests EXPLAIN them) ------------------------
create index if not exists profile_runs_dataset_started_idx
  on public.profile_runs (dataset_id, started_at desc);
create index if not exists profile_runs_status_idx on public.profile_runs (status);
create index if not exists profile_results_dataset_profiled_idx
  on public.profile_results (dataset_id, profiled_at desc);
create unique index if not exists profile_results_run_id_idx on public.profile_results (run_id);
create index if not exists column_profiles_result_column_idx
  on public.column_profiles (result_id, column_name);
create index if not exists profile_anomalies_result_idx on public.profile_anomalies (result_id);
create index if not exists profile_anomalies_severity_idx on public.profile_anomalies (severity);
create index if not exists datasets_source_idx on public.datasets (source_id);

-- updated_at by trigger ------------------------------------------------------------------
create or replace function public.dataprof_touch_updated_at() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create or replace trigger data_sources_updated_at
  before update on public.data_sources
  for each row execute function public.dataprof_touch_updated_at();
create or replace trigger datasets_updated_at
  before update on public.datasets
  for each row execute function public.dataprof_touch_updated_at();

-- Row Level Security: authenticated reads all six and manages data_sources; anon nothing;
-- service_role (BYPASSRLS) writes profiles. ----------------------------------------------
alter table public.data_sources enable row level security;
alter table public.datasets enable row level security;
alter table public.profile_runs enable row level security;
alter table public.profile_results enable row level security;
alter table public.column_profiles enable row level security;
alter table public.profile_anomalies enable row level security;

do $$
declare
  t text;
begin
  foreach t in array array['data_sources', 'datasets', 'profile_runs', 'profile_results',
                           'column_profiles', 'profile_anomalies']
  loop
    if not exists (select from pg_policies
                   where schemaname = 'public' and tablename = t and policyname = t || '_select') then
      execute format('create policy %I on public.%I for select to authenticated using (true)',
                     t || '_select', t);
    end if;
  end loop;
  if not exists (select from pg_policies where schemaname = 'public'
                 and tablename = 'data_sources' and policyname = 'data_sources_insert') then
    create policy data_sources_insert on public.data_sources
      for insert to authenticated with check (true);
    create policy data_sources_update on public.data_sources
      for update to authenticated using (true) with check (true);
    create policy data_sources_delete on public.data_sources
      for delete to authenticated using (true);
  end if;
end
$$;

grant select on public.data_sources, public.datasets, public.profile_runs, public.profile_results,
  public.column_profiles, public.profile_anomalies to authenticated;
grant insert, update, delete on public.data_sources to authenticated;
grant select, insert, update, delete on public.data_sources, public.datasets, public.profile_runs,
  public.profile_results, public.column_profiles, public.profile_anomalies to service_role;

-- Functions: every read and write a store makes, one call each -----------------------------
-- SECURITY INVOKER (the caller's rights and RLS apply); timestamps in UTC.

create or replace function public.dataprof_schema_version() returns text
  language sql immutable
  set search_path = ''
  as $$ select '001'::text $$;

-- The data_sources and datasets rows of a source identity, created when missing.
create or replace function public.dataprof_ensure_dataset(source jsonb, out source_id uuid,
                                                          out dataset_id uuid)
  language plpgsql
  security invoker
  set search_path = ''
  as $$
begin
  insert into public.data_sources (source_type, name)
    values (source ->> 'source_type', source ->> 'source_name')
    on conflict (source_type, name) do nothing;
  select s.id into source_id from public.data_sources s
    where s.source_type = source ->> 'source_type'
      and s.name is not distinct from source ->> 'source_name';
  insert into public.datasets (source_id, database_name, table_name)
    values (source_id, source ->> 'database', source ->> 'table')
    on conflict on constraint datasets_source_database_table_key do nothing;
  select d.id into dataset_id from public.datasets d
    where d.source_id = dataprof_ensure_dataset.source_id
      and d.database_name = source ->> 'database' and d.table_name = source ->> 'table';
end
$$;

-- The dataset of a source identity, or null (reads never create rows).
create or replace function public.dataprof_find_dataset(source jsonb) returns uuid
  language sql stable
  security invoker
  set search_path = ''
  as $$
  select d.id from public.datasets d join public.data_sources s on s.id = d.source_id
  where s.source_type = source ->> 'source_type'
    and s.name is not distinct from source ->> 'source_name'
    and d.database_name = source ->> 'database' and d.table_name = source ->> 'table'
$$;

-- A run that has started: its row with status running (idempotent; never downgrades a
-- finished run).
create or replace function public.dataprof_start_run(run jsonb) returns void
  language plpgsql
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$
declare
  ids record;
begin
  select * into ids from public.dataprof_ensure_dataset(run -> 'source');
  insert into public.profile_runs (id, dataset_id, status, mode, started_at,
                                   step_functions_execution_arn, details)
    values ((run ->> 'run_id')::uuid, ids.dataset_id, 'running', run ->> 'mode',
            (run ->> 'started_at')::timestamptz, run ->> 'execution_arn',
            coalesce(run -> 'details', '{}'::jsonb))
    on conflict (id) do update
      set step_functions_execution_arn = coalesce(excluded.step_functions_execution_arn,
                                                  profile_runs.step_functions_execution_arn)
      where profile_runs.status = 'running';
end
$$;

-- A finished run, whole: the run row upserted, its result, columns and anomalies replaced.
create or replace function public.dataprof_save_run(run jsonb) returns void
  language plpgsql
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$
declare
  ids record;
  v_run uuid := (run ->> 'run_id')::uuid;
  v_result uuid;
  v_result_doc jsonb := run -> 'result';
begin
  select * into ids from public.dataprof_ensure_dataset(run -> 'source');
  insert into public.profile_runs as r (id, dataset_id, status, mode, started_at, completed_at,
                                        error_message, step_functions_execution_arn, details)
    values (v_run, ids.dataset_id, (run ->> 'status')::public.profile_run_status,
            run ->> 'mode', (run ->> 'started_at')::timestamptz,
            (run ->> 'finished_at')::timestamptz, run ->> 'error', run ->> 'execution_arn',
            coalesce(run -> 'details', '{}'::jsonb))
    on conflict (id) do update
      set dataset_id = excluded.dataset_id, status = excluded.status, mode = excluded.mode,
          started_at = excluded.started_at, completed_at = excluded.completed_at,
          error_message = excluded.error_message, details = excluded.details,
          step_functions_execution_arn = coalesce(excluded.step_functions_execution_arn,
                                                  r.step_functions_execution_arn);
  delete from public.profile_results where run_id = v_run;
  if v_result_doc is null or jsonb_typeof(v_result_doc) = 'null' then
    return;
  end if;
  insert into public.profile_results (run_id, dataset_id, row_count, column_count, sampled,
      sample_size, s3_full_profile_uri, profiled_at, snapshot_id, row_count_exact,
      schema_fields, field_ids, notes, columns_requested, sketches, details)
    values (v_run, ids.dataset_id, (v_result_doc ->> 'row_count')::bigint,
            jsonb_array_length(run -> 'columns'), (v_result_doc ->> 'sampled')::boolean,
            (v_result_doc ->> 'sample_size')::bigint, v_result_doc ->> 's3_full_profile_uri',
            (run ->> 'finished_at')::timestamptz, (v_result_doc ->> 'snapshot_id')::bigint,
            (v_result_doc ->> 'row_count_exact')::boolean, v_result_doc -> 'schema_fields',
            v_result_doc -> 'field_ids', v_result_doc -> 'notes',
            nullif(v_result_doc -> 'columns_requested', 'null'::jsonb),
            v_result_doc -> 'sketches', v_result_doc -> 'details')
    returning id into v_result;
  insert into public.column_profiles (result_id, ordinal, column_name, field_id, data_type,
      inferred_type, supported, unsupported_reason, row_count, null_count, null_percentage,
      distinct_count, distinct_percentage, min_value, max_value, mean_value, median_value,
      std_dev, top_values, metrics)
    select v_result, (c.ord - 1)::integer, c.doc ->> 'column_name',
           (c.doc ->> 'field_id')::bigint, c.doc ->> 'data_type', c.doc ->> 'inferred_type',
           (c.doc ->> 'supported')::boolean, c.doc ->> 'unsupported_reason',
           (c.doc ->> 'row_count')::bigint, (c.doc ->> 'null_count')::bigint,
           (c.doc ->> 'null_percentage')::double precision, (c.doc ->> 'distinct_count')::bigint,
           (c.doc ->> 'distinct_percentage')::double precision, c.doc -> 'min_value',
           c.doc -> 'max_value', (c.doc ->> 'mean_value')::double precision,
           c.doc -> 'median_value', (c.doc ->> 'std_dev')::double precision,
           c.doc -> 'top_values', c.doc -> 'metrics'
    from jsonb_array_elements(run -> 'columns') with ordinality as c (doc, ord);
  insert into public.profile_anomalies (result_id, ordinal, column_name, anomaly_type, severity,
      description, value, threshold, metadata, detector)
    select v_result, (a.ord - 1)::integer, a.doc ->> 'column_name', a.doc ->> 'anomaly_type',
           (a.doc ->> 'severity')::public.anomaly_severity, a.doc ->> 'description',
           a.doc -> 'observed_value', a.doc -> 'threshold', a.doc -> 'metadata',
           a.doc ->> 'detector'
    from jsonb_array_elements(run -> 'anomalies') with ordinality as a (doc, ord);
  if (run ->> 'status') = 'succeeded' and not exists (
      select from public.profile_results pr
      where pr.dataset_id = ids.dataset_id and pr.profiled_at > (run ->> 'finished_at')::timestamptz
  ) then
    update public.datasets set schema_info = jsonb_build_object(
        'schema_fields', v_result_doc -> 'schema_fields', 'field_ids', v_result_doc -> 'field_ids')
      where id = ids.dataset_id;
  end if;
end
$$;

-- One run as a document (the rows of the six tables it spans); floats as text, exact.
create or replace function public.dataprof_run_document(run_id uuid) returns jsonb
  language sql stable
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$
  select jsonb_build_object(
    'run_id', r.id, 'status', r.status, 'mode', r.mode, 'started_at', r.started_at,
    'finished_at', r.completed_at, 'error', r.error_message,
    'execution_arn', r.step_functions_execution_arn, 'details', r.details,
    'source', jsonb_build_object('source_type', s.source_type, 'source_name', s.name,
                                 'database', d.database_name, 'table', d.table_name),
    'result', (select to_jsonb(pr) - 'id' - 'run_id' - 'dataset_id' - 'created_at'
               from public.profile_results pr where pr.id = res.id),
    'columns', coalesce((
      select jsonb_agg(jsonb_build_object(
        'column_name', c.column_name, 'field_id', c.field_id, 'data_type', c.data_type,
        'inferred_type', c.inferred_type, 'supported', c.supported,
        'unsupported_reason', c.unsupported_reason, 'row_count', c.row_count,
        'null_count', c.null_count, 'null_percentage', c.null_percentage::text,
        'distinct_count', c.distinct_count, 'distinct_percentage', c.distinct_percentage::text,
        'min_value', c.min_value, 'max_value', c.max_value, 'mean_value', c.mean_value::text,
        'median_value', c.median_value, 'std_dev', c.std_dev::text,
        'top_values', c.top_values, 'metrics', c.metrics) order by c.ordinal)
      from public.column_profiles c where c.result_id = res.id), '[]'::jsonb),
    'anomalies', coalesce((
      select jsonb_agg(jsonb_build_object(
        'column_name', a.column_name, 'anomaly_type', a.anomaly_type, 'severity', a.severity,
        'description', a.description, 'observed_value', a.value, 'threshold', a.threshold,
        'metadata', a.metadata, 'detector', a.detector) order by a.ordinal)
      from public.profile_anomalies a where a.result_id = res.id), '[]'::jsonb))
  from public.profile_runs r
  join public.datasets d on d.id = r.dataset_id
  join public.data_sources s on s.id = d.source_id
  left join public.profile_results res on res.run_id = r.id
  where r.id = dataprof_run_document.run_id
$$;

create or replace function public.dataprof_get_run(run_id uuid) returns jsonb
  language sql stable
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$ select public.dataprof_run_document(run_id) $$;

-- Run summaries newest first, of one table (source not null) or of all.
create or replace function public.dataprof_list_runs(source jsonb, max_runs integer,
                                                     include_failed boolean) returns jsonb
  language plpgsql stable
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$
declare
  v_dataset uuid;
  v_out jsonb;
begin
  if source is not null and jsonb_typeof(source) <> 'null' then
    v_dataset := public.dataprof_find_dataset(source);
    if v_dataset is null then
      return '[]'::jsonb;
    end if;
  end if;
  select coalesce(jsonb_agg(jsonb_build_object(
      'run_id', x.id, 'status', x.status, 'mode', x.mode, 'started_at', x.started_at,
      'finished_at', x.completed_at, 'error', x.error_message, 'details', x.details,
      'source', jsonb_build_object('source_type', s.source_type, 'source_name', s.name,
                                   'database', d.database_name, 'table', d.table_name),
      'result', (select jsonb_build_object(
          'row_count', pr.row_count, 'column_count', pr.column_count, 'sampled', pr.sampled,
          'sample_size', pr.sample_size, 'snapshot_id', pr.snapshot_id,
          'columns_requested', pr.columns_requested)
        from public.profile_results pr where pr.run_id = x.id),
      'anomaly_counts', (select coalesce(jsonb_object_agg(g.severity, g.n), '{}'::jsonb)
        from (select a.severity, count(*) as n
              from public.profile_anomalies a
              join public.profile_results pr on pr.id = a.result_id
              where pr.run_id = x.id group by a.severity) g)
    ) order by x.started_at desc, x.completed_at desc nulls last, x.id desc), '[]'::jsonb)
  into v_out
  from (
    select r.* from public.profile_runs r
    where (v_dataset is null or r.dataset_id = v_dataset)
      and (include_failed or r.status not in ('failed', 'running'))
    order by r.started_at desc, r.completed_at desc nulls last, r.id desc
    limit max_runs
  ) x
  join public.datasets d on d.id = x.dataset_id
  join public.data_sources s on s.id = d.source_id;
  return v_out;
end
$$;

-- Full runs of one table newest first, in one call (what anomaly detection reads).
-- The status test is written `not in` so that the planner walks the (dataset_id, started_at)
-- index in order, rather than the status index, which matches most of the table.
create or replace function public.dataprof_history(source jsonb, max_runs integer,
                                                   include_failed boolean) returns jsonb
  language plpgsql stable
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$
declare
  v_dataset uuid := public.dataprof_find_dataset(source);
begin
  if v_dataset is null then
    return '[]'::jsonb;
  end if;
  return coalesce((
    select jsonb_agg(public.dataprof_run_document(x.id)
                     order by x.started_at desc, x.completed_at desc nulls last, x.id desc)
    from (
      select r.id, r.started_at, r.completed_at from public.profile_runs r
      where r.dataset_id = v_dataset and (include_failed or r.status not in ('failed', 'running'))
      order by r.started_at desc, r.completed_at desc nulls last, r.id desc
      limit max_runs
    ) x), '[]'::jsonb);
end
$$;

-- One column's figures across the succeeded runs of a table, newest first.
create or replace function public.dataprof_column_history(source jsonb, column_name text,
                                                          max_runs integer) returns jsonb
  language plpgsql stable
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$
declare
  v_dataset uuid := public.dataprof_find_dataset(source);
begin
  if v_dataset is null then
    return '[]'::jsonb;
  end if;
  return coalesce((
    select jsonb_agg(jsonb_build_object(
        'run_id', x.run_id, 'profiled_at', x.profiled_at, 'row_count', c.row_count,
        'null_count', c.null_count, 'distinct_count', c.distinct_count,
        'min_value', c.min_value, 'max_value', c.max_value,
        'mean_value', c.mean_value::text, 'metrics', c.metrics) order by x.profiled_at desc)
    from (
      select pr.id, pr.run_id, pr.profiled_at from public.profile_results pr
      where pr.dataset_id = v_dataset
      order by pr.profiled_at desc
      limit max_runs
    ) x
    join public.column_profiles c
      on c.result_id = x.id and c.column_name = dataprof_column_history.column_name
  ), '[]'::jsonb);
end
$$;

-- A named source's row: register (insert or update its config) and read back.
create or replace function public.dataprof_register_source(source jsonb) returns uuid
  language plpgsql
  security invoker
  set search_path = ''
  as $$
declare
  v_id uuid;
begin
  insert into public.data_sources as s (source_type, name, connection_config)
    values (source ->> 'source_type', source ->> 'name',
            coalesce(source -> 'connection_config', '{}'::jsonb))
    on conflict (source_type, name) do update
      set connection_config = excluded.connection_config
      where s.connection_config is distinct from excluded.connection_config;
  select s.id into v_id from public.data_sources s
    where s.source_type = source ->> 'source_type'
      and s.name is not distinct from source ->> 'name';
  return v_id;
end
$$;

create or replace function public.dataprof_get_source(source_id uuid) returns jsonb
  language sql stable
  security invoker
  set search_path = ''
  set timezone = 'UTC'
  as $$
  select jsonb_build_object('id', s.id, 'source_type', s.source_type, 'name', s.name,
                            'connection_config', s.connection_config,
                            'created_at', s.created_at, 'updated_at', s.updated_at)
  from public.data_sources s where s.id = source_id
$$;

-- Who may call them: only service_role (and the owner). PUBLIC and Supabase's API roles
-- get EXECUTE on new functions by default; take it back.
revoke execute on function
  public.dataprof_schema_version(), public.dataprof_ensure_dataset(jsonb),
  public.dataprof_find_dataset(jsonb), public.dataprof_start_run(jsonb),
  public.dataprof_save_run(jsonb), public.dataprof_run_document(uuid),
  public.dataprof_get_run(uuid), public.dataprof_list_runs(jsonb, integer, boolean),
  public.dataprof_history(jsonb, integer, boolean),
  public.dataprof_column_history(jsonb, text, integer),
  public.dataprof_register_source(jsonb), public.dataprof_get_source(uuid),
  public.dataprof_touch_updated_at()
  from public, anon, authenticated;
grant execute on function
  public.dataprof_schema_version(), public.dataprof_ensure_dataset(jsonb),
  public.dataprof_find_dataset(jsonb), public.dataprof_start_run(jsonb),
  public.dataprof_save_run(jsonb), public.dataprof_run_document(uuid),
  public.dataprof_get_run(uuid), public.dataprof_list_runs(jsonb, integer, boolean),
  public.dataprof_history(jsonb, integer, boolean),
  public.dataprof_column_history(jsonb, text, integer),
  public.dataprof_register_source(jsonb), public.dataprof_get_source(uuid)
  to service_role;
