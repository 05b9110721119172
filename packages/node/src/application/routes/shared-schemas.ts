/** Small schemas several route modules share. */
import Type from 'typebox';

/** The query string of routes that take no query parameters: any parameter is an unknown field. */
export const NoQuery = Type.Object({}, { additionalProperties: false });
