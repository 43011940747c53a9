// minapp's promisified `wx` (@minapp/wx's `wxp`): on load it copies every
// property of `wx` and wraps the functions it lists as promisable.
import wxp from '@minapp/wx/dist/wxp.js';

export const api = wxp;
