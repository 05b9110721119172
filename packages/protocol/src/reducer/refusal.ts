/** Why an entry could not be applied. Steps report refusals; they never throw for an illegal move. */
export type Refusal = { code: string; message: string };

export const refuse = (code: string, message: string): Refusal => ({ code, message });
