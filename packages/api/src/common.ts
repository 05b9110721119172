/** Small shared wire pieces. */
import Type from 'typebox';

export const Pagination = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 128, description: 'Opaque cursor from next_cursor.' })),
  },
  { additionalProperties: false },
);

export const IdParam = (name: string, pattern: string) =>
  Type.Object({ [name]: Type.String({ pattern }) }, { additionalProperties: false });
