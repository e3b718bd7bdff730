/**
 * Schema of a scenario file (YAML or JSON; docs/scenarios.md). The parsed
 * type is derived from the schema; compile-scenario.ts resolves it against
 * the registry and the run's start time.
 */
import { Type, type Static } from 'typebox';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
/** Relative to the run's start (`90s`, `1h30m`, `-6h`, or seconds) or absolute ISO 8601 with an offset; `now`. */
const TimeRef = Type.Union([Type.String({ minLength: 1 }), Type.Number()]);
/** `30m`, `2d`, `1h30m` or seconds. */
const Duration = Type.Union([Type.String({ minLength: 1 }), Type.Number({ minimum: 0 })]);
const Range = Type.Tuple([Type.Number({ minimum: 0 }), Type.Number({ minimum: 0 })]);
const Ids = Type.Array(Id, { minItems: 1 });

const HydraulicsFields = {
  dispersionM2s: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  crossSectionM2: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  defaultVelocityMps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
};

const SpillLocation = Type.Union([
  Type.Object({ river: Id, positionKm: Type.Number({ minimum: 0 }) }, { additionalProperties: false }),
  Type.Object({ section: Id, kmUpstream: Type.Optional(Type.Number({ minimum: 0 })) }, { additionalProperties: false }),
]);

const FaultKindSchema = Type.Union([
  Type.Literal('flatline'),
  Type.Literal('drift'),
  Type.Literal('spikes'),
  Type.Literal('flag'),
  Type.Literal('offline'),
  Type.Literal('link-loss'),
]);

const FlagSchema = Type.Union(['F', 'M', 'S', 'D', 'C', 'T', 'B'].map((f) => Type.Literal(f)));

export const ScenarioSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    /** Default seed (a `--seed` flag wins). */
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
    time: Type.Optional(
      Type.Object(
        {
          /** Run start: `now` (default), relative to now (`-12h`), or ISO. */
          start: Type.Optional(TimeRef),
          duration: Type.Optional(Duration),
          end: Type.Optional(TimeRef),
          /** 1 = real time, 60 = one simulated hour per minute, `max` = as fast as possible. */
          speed: Type.Optional(Type.Union([Type.Literal('max'), Type.Number({ exclusiveMinimum: 0 })])),
          /** Allow readings stamped later than the wall clock (default false: a run that catches up continues at real time). */
          allowFuture: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    /** Stations to simulate (ids or section ids); default every station of the registry. */
    stations: Type.Optional(Ids),
    model: Type.Optional(
      Type.Object(
        {
          nutrientCycle: Type.Optional(Duration),
          analyserMinCycle: Type.Optional(Duration),
          /** Offset of the stations' clocks and timestamps, e.g. `+08:00`. */
          timezone: Type.Optional(Type.String()),
          samplingIntervalS: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
          tsFormat: Type.Optional(Type.Union([Type.Literal('iso'), Type.Literal('epoch')])),
        },
        { additionalProperties: false },
      ),
    ),
    hydraulics: Type.Optional(
      Type.Object(
        {
          ...HydraulicsFields,
          rivers: Type.Optional(Type.Record(Type.String(), Type.Object(HydraulicsFields, { additionalProperties: false }))),
        },
        { additionalProperties: false },
      ),
    ),
    rain: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.Optional(Id),
            at: TimeRef,
            duration: Duration,
            intensity: Type.Number({ exclusiveMinimum: 0, maximum: 1.5 }),
            sections: Type.Optional(Ids),
            rivers: Type.Optional(Ids),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    randomRain: Type.Optional(
      Type.Object(
        {
          perWeek: Type.Number({ minimum: 0, maximum: 50 }),
          intensity: Type.Optional(Range),
          /** Range of durations in hours. */
          durationH: Type.Optional(Range),
          rivers: Type.Optional(Ids),
        },
        { additionalProperties: false },
      ),
    ),
    spills: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id,
            at: TimeRef,
            /** Release duration; 0 or absent for an instantaneous slug. */
            duration: Type.Optional(Duration),
            location: SpillLocation,
            massKg: Type.Number({ exclusiveMinimum: 0 }),
            /** Change of each parameter per mg/L of the spilled substance. */
            effects: Type.Record(Type.String(), Type.Number()),
            decayPerDay: Type.Optional(Type.Number({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    trends: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id,
            parameter: Type.String({ minLength: 1 }),
            sections: Ids,
            at: TimeRef,
            ramp: Duration,
            /** How long the level holds after the ramp; absent = until the run ends. */
            hold: Type.Optional(Duration),
            delta: Type.Optional(Type.Number()),
            factor: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    faults: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id,
            kind: FaultKindSchema,
            stations: Ids,
            parameters: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
            at: TimeRef,
            duration: Duration,
            ratePerDay: Type.Optional(Type.Number()),
            count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
            factor: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
            flag: Type.Optional(FlagSchema),
            batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

export type Scenario = Static<typeof ScenarioSchema>;
