/**
 * Schema of the registry file (YAML or JSON; docs/registry.md). The parsed
 * file type is derived from this schema; config/registry-loader.ts resolves it
 * into the domain model.
 */
import { Type, type Static } from 'typebox';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const Name = Type.Object({ zh: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) }, { additionalProperties: false });

const AgencyFile = Type.Object(
  {
    id: Id,
    level: Type.Union([Type.Literal('national'), Type.Literal('basin'), Type.Literal('province'), Type.Literal('city'), Type.Literal('county')]),
    parent: Type.Optional(Id),
    name: Name,
    contacts: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String(), role: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
      ),
    ),
    webhook: Type.Optional(Type.Object({ url: Type.String({ pattern: '^https?://' }), secret: Type.String({ minLength: 16 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const TargetClassFile = Type.Union([
  Type.Literal('I'),
  Type.Literal('II'),
  Type.Literal('III'),
  Type.Literal('IV'),
  Type.Literal('V'),
  Type.Integer({ minimum: 1, maximum: 5 }),
]);

const SectionFile = Type.Object(
  {
    id: Id,
    river: Id,
    name: Name,
    positionKm: Type.Number({ minimum: 0 }),
    coordinates: Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false }),
    targetClass: TargetClassFile,
    waterBody: Type.Optional(Type.Union([Type.Literal('river'), Type.Literal('lake')])),
    /** A section inside one jurisdiction. */
    agency: Type.Optional(Id),
    /** A boundary section: the jurisdictions on its upstream and downstream side. */
    agencies: Type.Optional(Type.Object({ upstream: Id, downstream: Id }, { additionalProperties: false })),
    drinkingWater: Type.Optional(Type.Boolean()),
    downstream: Type.Optional(
      Type.Object(
        { section: Id, distanceKm: Type.Number({ exclusiveMinimum: 0 }), velocityMps: Type.Number({ exclusiveMinimum: 0, maximum: 10 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const StationFile = Type.Object(
  {
    id: Id,
    section: Id,
    name: Type.Optional(Name),
    parameters: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    samplingIntervalS: Type.Integer({ minimum: 1, maximum: 86400 }),
    hj212: Type.Optional(
      Type.Object(
        {
          mn: Type.String({ minLength: 1, maxLength: 24 }),
          password: Type.String({ minLength: 1, maxLength: 24 }),
          // Pollutant codes this station's logger sends, mapped to HJ 212-2017 codes (docs/hj212.md "Dialects").
          codes: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9]{1,8}$' }), Type.String({ pattern: '^[a-z][0-9]{5}$' }))),
        },
        { additionalProperties: false },
      ),
    ),
    tokenSha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);

export const RegistryFileSchema = Type.Object(
  {
    agencies: Type.Array(AgencyFile, { minItems: 1 }),
    rivers: Type.Array(Type.Object({ id: Id, name: Name }, { additionalProperties: false })),
    sections: Type.Array(SectionFile),
    stations: Type.Array(StationFile),
  },
  { additionalProperties: false },
);

export type RegistryFile = Static<typeof RegistryFileSchema>;
export type SectionFileEntry = Static<typeof SectionFile>;
