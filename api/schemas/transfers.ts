/** Schemas of the transfer routes (api/routes/transfers.ts): the transfer with its history, the bodies of its answers. */
import { Type } from 'typebox';
import { TRANSFER_STATUSES } from '../../platform/redis/alerts/index.js';
import { ActorSchema } from './alerts.js';
import { Details, EpochMs, Name, Paging, PersonName } from './common.js';


export const TransferSchema = Type.Object({
  id: Type.String(),
  subject: Type.Object({
    kind: Type.Enum(['alert', 'task']),
    id: Type.String(),
    sectionId: Type.String(),
    riverId: Type.Optional(Type.String()),
    level: Type.Optional(Type.String()),
    summary: Type.String(),
    parameters: Type.Array(Type.String()),
  }),
  fromAgencyId: Type.String(),
  toAgencyId: Type.String(),
  names: Type.Object({ from: Name, to: Name, section: Name, superior: Name }, { description: 'display names, so the receiver needs no access to the section' }),
  reason: Type.String(),
  status: Type.Enum(TRANSFER_STATUSES),
  createdAt: EpochMs,
  acceptDeadline: EpochMs,
  resultDeadline: Type.Optional(EpochMs),
  accepted: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, note: Type.String() })),
  refused: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, reason: Type.String() })),
  result: Type.Optional(Type.Object({ at: EpochMs, actor: ActorSchema, text: Type.String() })),
  superiorId: Type.String({ description: 'lowest common superior of sender and receiver: where a missed deadline goes first' }),
  escalations: Type.Array(Type.Object({ at: EpochMs, toAgencyId: Type.String(), level: Type.Integer(), reason: Type.String() })),
  updatedAt: EpochMs,
  history: Type.Array(Type.Object({ seq: Type.Integer(), type: Type.String(), at: EpochMs, actor: ActorSchema, details: Details })),
});

export const CreateBody = Type.Object({
  toAgencyId: Type.String({ minLength: 1, maxLength: 128, description: 'the responsible agency, from the registry' }),
  reason: Type.String({ minLength: 1, maxLength: 2000, description: 'why the receiver is responsible' }),
  name: PersonName,
});
export const AnswerBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })), name: PersonName });
export const RefuseBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }), name: PersonName });
export const ResultBody = Type.Object({ result: Type.String({ minLength: 1, maxLength: 4000 }), name: PersonName });
export const TransferListQuery = Type.Object({
  status: Type.Optional(Type.String({ description: `comma-separated: ${TRANSFER_STATUSES.join(', ')}` })),
  direction: Type.Optional(Type.Enum(['in', 'out'], { description: 'in: received by the agency (or its subordinates); out: sent by them' })),
  ...Paging,
});

export const TransferAgencySchema = Type.Object({
  id: Type.String(),
  name: Name,
  level: Type.String(),
  parentId: Type.Optional(Type.String()),
  ancestors: Type.Array(Type.String()),
});
