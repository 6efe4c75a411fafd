import { compareShapes, parseAnswer, shapeOf, valueAt } from './answer-shape';

describe('answer shapes', () => {
  const shape = (body: string) => shapeOf(parseAnswer(body), body.trim().startsWith('<') ? 'xml' : 'json');

  it('finds a missing field, a field of another type, and reports extra ones', () => {
    const documented = shape('{"width":"960","data":{"list":[{"a":1}]},"vid":"x"}');
    const answer = shape('{"width":960,"data":{"list":[{"b":1}]},"more":true}');
    expect(compareShapes(documented, answer, ['vid'])).toEqual({
      missing: ['data.list.a'],
      types: ['width: string -> number'],
      extra: ['data.list.b', 'more'],
    });
  });

  it('reads XML with one element or several alike, and the seed’s trailing comma', () => {
    const one = shape('<R><L><O><K>a</K></O></L></R>');
    const two = shape('<R><L><O><K>a</K></O><O><K>b</K></O></L></R>');
    expect(compareShapes(one, two)).toEqual({ missing: [], types: [], extra: [] });
    expect(valueAt(parseAnswer('{"d":{"r":[{"f":"x",}]},}'), 'd.r.f')).toBe('x');
  });
});
