#!/usr/bin/env python3
"""Golden fixtures for src/chat/jinja/: small templates rendered by the reference, the
Jinja environment transformers builds for chat templates
(transformers.utils.chat_template_utils._compile_jinja_template: sandboxed, trim_blocks,
lstrip_blocks, loopcontrols, its own tojson, raise_exception, namespace).

Usage (from the repository root, with the venv of tools/goldens/requirements.txt):
    python tools/goldens/make_jinja_goldens.py

Writes tests/goldens/chat/jinja_cases.json:
  {"format": 1, "reference": {versions}, "cases": [
     {"name", "template", "context", "text": rendered}                       or
     {"name", "template", "context", "error": {"type": exception class, "message": str}}]}

Cases cover whitespace control (a generated matrix of text around tags with -, + and
plain delimiters), scoping, loops, macros, call blocks, filters, tests, string methods,
operators and the errors jinja2 raises. Templates whose reference output is a Python
object address or needs integers beyond 64 bits are left out: the C++ engine does not
reproduce those.
"""
import json
import os
import random

import jinja2
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "chat", "jinja_cases.json")

CONTEXT = {
    "x": {"a": 1, "items": "X", "nested": {"k": [1, 2, {"deep": "yes"}]}},
    "msgs": [{"role": "system", "content": "sys"}, {"role": "user", "content": "hé"},
             {"role": "assistant", "content": "<think>r</think>\n\nans"}],
    "n": None, "t": True, "f": False, "i": 7, "fl": 2.5, "s": "Hello, Wörld", "empty": "", "lst": [3, 1, 2],
    "words": ["b", "A", "a", "c"],
    "people": [{"name": "Ann", "age": 31, "city": "Oslo"}, {"name": "bob", "age": 25, "city": "Rome"},
               {"name": "Cid", "age": 31}],
}

HANDWRITTEN = [
    # literals, printing, operators
    "{{ [1,2] }}{{ {'a': 1, 'b': [True, None, 1.5]} }}{{ (1,) }}{{ 'it''s' }}{{ () }}{{ (1) }}",
    "{{ 1/2 }} {{ 7//2 }} {{ -7//2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2**10 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 2 ** -1 }}",
    "{{ 1e20 }} {{ 1.0 }} {{ 0.1+0.2 }} {{ 1e-5 }} {{ 123456789012345678.0 }} {{ 1e16 }} {{ 1.5e16 }} {{ 0.0001 }} {{ -0.0 }} {{ 100.0 }}",
    "{{ -7.5 % 2 }} {{ 7.5 // 2 }} {{ 1.5 * 2 }} {{ 3 - 0.5 }} {{ true + 1 }} {{ 10 / 4 }}",
    "{{ 0x1F }}{{ 0b101 }}{{ 0o17 }}{{ 1_000 }}{{ 1.5e3 }}{{ 1E2 }}",
    "{{ 'a\\tb\\x41\\u00e9\\U0001F600\\101\\q' }}|{{ \"it's\" }}|{{ 'say \"hi\"' }}",
    "{{ none }}{{ true }}{{ True }}{{ None }}{{ false }}",
    "{{ 1, 2 }}|{% set a = 1, 2 %}{{ a }}|{% set p, q = 'xy' %}{{ q }}{{ p }}",
    "{{ 'a' ~ none ~ 1.0 ~ [1] ~ n ~ undefined_name }}",
    "{{ 'a' * 3 }}{{ 2 * [1] }}{{ 3 * 'a' }}{{ [1] * 0 }}{{ 'x' * -1 }}",
    "{{ 1 == 1.0 }}{{ true == 1 }}{{ 'a' < 'b' }}{{ [1,2] < [1,3] }}{{ 1 < 2 < 3 }}{{ 3 > 2 > 2 }}{{ 1 == 1 == 1 }}",
    "{{ [1] == [1] }}{{ [1] == (1,) }}{{ {'a':1,'b':2} == {'b':2,'a':1} }}{{ none == none }}{{ u == u2 }}{{ u == none }}",
    "{{ true and 'x' }}|{{ 0 or 'y' }}|{{ '' and 1 }}|{{ none or none }}|{{ not 1 == 2 }}|{{ not none }}",
    "{{ 'ab' in 'xabx' }}{{ 'a' in ['a'] }}{{ 'a' in {'a':1} }}{{ 'a' not in 'b' }}{{ 'z' in u }}{{ 2 in lst }}",
    "{{ 'a' if true else 'b' }}|{{ 'a' if false }}|{{ 1 if 1 else 2 if 0 else 3 }}|{{ (1 if false) is defined }}",
    "{{ -1 is number }}{{ 1 + 2 is number }}{{ -i }}{{ +fl }}{{ -fl|abs }}",
    "{{ {1: 2, none: 3, 1.5: 4, true: 5} }}{{ {'a': 1, 'a': 2} }}",
    # attribute and item access, slicing
    "{{ x.a }}{{ x['a'] }}{{ x.items }}{{ x['items'] }}{{ x.nested.k[2].deep }}{{ x.nested.k.1 }}{{ x.missing }}|",
    "{{ x.get('a') }}{{ x.get('zz') }}{{ x.get('zz', 3) }}{{ x.keys()|list }}{{ x.values()|list|length }}{{ x.items()|list|first }}",
    "{{ [1,2][5] }}|{{ 'ab'[5] }}|{{ n.x }}|{{ n['x'] }}|{{ (1).x }}|{{ s.nope }}|{{ lst[-1] }}{{ lst[-4] }}",
    "{{ 'abc'[::-1] }}{{ [1,2,3][1:] }}{{ 'héllo'[1] }}{{ [1,2,3][::2] }}{{ [1,2,3][1:-1] }}{{ 'hello'[-3:] }}{{ [1,2,3][::-1] }}{{ 'hello'[10:] }}{{ 'hello'[-10:2] }}{{ [1,2,3,4,5][4:0:-2] }}",
    "{{ msgs[0]['role'] }}{{ msgs[-1].content.split('</think>')[-1].lstrip('\\n') }}{{ msgs[5] is defined }}",
    # statements and scoping
    "{% set x1 = 'outer' %}{% for i in range(2) %}[{{ x1 }}]{% set x1 = i %}{% endfor %}{{ x1 }}",
    "{% for i in range(3) %}{% if i == 0 %}{% set y = 5 %}{% endif %}[{{ y }}]{% endfor %}",
    "{% set y = 1 %}{% if true %}{% set y = 2 %}{% endif %}{{ y }}",
    "{% set v = 1 %}{% macro m() %}{{ v }}{% endmacro %}{% set v = 2 %}{{ m() }}",
    "{% set ns = namespace(a=1, b=[]) %}{% for i in range(3) %}{% set ns.a = ns.a + i %}{% set ns.b = ns.b + [i] %}{% endfor %}{{ ns.a }}{{ ns.b }}{{ ns }}",
    "{% set ns = namespace({'k': 'v'}, z=2) %}{{ ns.k }}{{ ns.z }}{{ ns.missing is defined }}",
    "{% set ns = namespace(a=1) %}{% set ns.b = [ns] %}{{ ns }}",
    "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}",
    "{% set blk %}abc {{ 1 + 1 }}{% endset %}{{ blk }}|{% set up | upper | trim %} xy {% endset %}{{ up }}",
    "{% filter upper %}abc {{ s }}{% endfilter %}|{% filter replace('a', 'b') | title %}a a{% endfilter %}",
    "{% raw %}{{ x }}{% endraw %}|  {%- raw -%}  {{ x }}  {%- endraw -%}  y",
    "{% if 1 %}a{% elif 2 %}b{% else %}c{% endif %}{% if 0 %}a{% elif 2 %}b{% else %}c{% endif %}{% if 0 %}a{% elif 0 %}b{% else %}c{% endif %}",
    "{% for x in [1,2,3] if x > 1 %}{{ loop.index }}/{{ loop.length }}{{ loop.first }}{% else %}none{% endfor %}",
    "{% for i in range(3) %}{{ i }}{% else %}empty{% endfor %}{% for i in [] %}{% else %}empty{% endfor %}",
    "{% for x in [1,2,3] %}{{ loop.previtem }}-{{ loop.nextitem }}-{{ loop.revindex }}-{{ loop.revindex0 }}-{{ loop.cycle('a','b') }}-{{ loop.index0 }}-{{ loop.last }} {% endfor %}",
    "{% for x in [1,1,2] %}{{ loop.changed(x) }}{% endfor %}{% for x in [1] %}{% for y in [2] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}{% endfor %}",
    "{% for x in [[1,[2]]] recursive %}{{ loop.depth }}{% if x is iterable %}<{{ loop(x) }}>{% endif %}{% endfor %}",
    "{% for x in [1,2,3,4] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% if x == 3 %}{% break %}{% endif %}{% endfor %}",
    "{% for a, b in [[1,2],[3,4]] %}{{ a }}{{ b }}{% endfor %}{% for k, v in x.items() %}{{ k }}={{ v is mapping }};{% endfor %}",
    "{% for k, v in x|items %}{{ k }};{% endfor %}{% for key in x %}{{ key }},{% endfor %}{% for c in 'hé' %}[{{ c }}]{% endfor %}",
    "{% for m in msgs[::-1] %}{{ m.role }}{% endfor %}{% for m in msgs %}{{ loop.index0 }}{{ msgs[loop.index0 - 1].role }};{% endfor %}",
    "{% macro m(a, b=2) %}{{ a }}{{ b }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1) }}{{ m(1, 3, 4, z=5) }}{{ m(b=7, a=0) }}",
    "{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}{{ m(none) }}{{ m('x') | upper }}",
    "{% macro m(a, b=a ~ '!') %}{{ b }}{% endmacro %}{{ m('hi') }}",
    "{% macro m() %}<{{ caller() }}>{% endmacro %}{% call m() %}body{% endcall %}",
    "{% macro m() %}<{{ caller(1, 2) }}>{% endmacro %}{% call(p, q) m() %}b{{ p }}{{ q }}{% endcall %}",
    "{% macro rec(n) %}{% if n > 0 %}{{ n }}{{ rec(n - 1) }}{% endif %}{% endmacro %}{{ rec(5) }}",
    "{% macro outer() %}{% macro inner() %}in{% endmacro %}{{ inner() }}out{% endmacro %}{{ outer() }}",
    "{% generation %}gen {{ 1 }}{% endgeneration %}",
    "{% for i in range(2) %}{% with z = i * 10 %}{% if z %}{% break %}{% endif %}{{ z }}{% endwith %}{% endfor %}",
    # filters
    "{{ [3,1,2]|sort }}{{ words|sort }}{{ words|sort(case_sensitive=true) }}{{ words|sort(reverse=true) }}{{ people|sort(attribute='age')|map(attribute='name')|list }}",
    "{{ people|sort(attribute='age,name')|map(attribute='name')|join(',') }}{{ people|map(attribute='city', default='?')|list }}",
    "{{ words|unique|list }}{{ words|unique(case_sensitive=true)|list }}{{ people|unique(attribute='age')|map(attribute='name')|list }}",
    "{{ people|selectattr('city')|map(attribute='name')|list }}{{ people|rejectattr('age', 'gt', 30)|list|length }}{{ people|selectattr('name', 'equalto', 'bob')|first }}",
    "{{ [1,2,3,4]|select('odd')|list }}{{ [1,2,3]|reject('even')|list }}{{ [0,1,'',none,'a']|select|list }}{{ [1,2,3]|select('in', [2,3])|list }}",
    "{{ [1,2,3]|sum }}{{ people|sum(attribute='age') }}{{ [[1],[2]]|sum(start=[]) }}{{ [3,1,2]|max }}{{ words|min }}{{ people|max(attribute='age') }}{{ []|max }}|",
    "{{ lst|first }}{{ lst|last }}{{ 'abc'|first }}{{ 'abc'|last }}{{ []|first }}|{{ []|last }}|{{ x|first }}",
    "{{ lst|length }}{{ 'hé'|length }}{{ x|length }}{{ u|length }}{{ lst|count }}",
    "{{ lst|join }}|{{ words|join(', ') }}|{{ people|join('/', attribute='name') }}|{{ [1, none, 'a']|join('-') }}",
    "{{ 'abc'|reverse }}{{ lst|reverse|list }}{{ 'abc'|list }}{{ x|list }}{{ u|list }}",
    "{{ x|dictsort }}{{ {'b':1,'A':2,'a':3}|dictsort }}{{ {'b':1,'a':2}|dictsort(by='value', reverse=true) }}",
    "{{ [1,2,3,4,5]|batch(2)|list }}{{ [1,2,3]|batch(2, 0)|list }}{{ [1,2,3,4,5]|slice(2)|list }}{{ [1,2,3]|slice(2, 'z')|list }}",
    "{% for g in people|groupby('age') %}{{ g.grouper }}:{{ g.list|map(attribute='name')|join(',') }};{% endfor %}{{ people|groupby('city')|length }}",
    "{{ none|default('d') }}{{ none|default('d', true) }}{{ u|default('dd') }}{{ u|d }}|{{ ''|d('e', boolean=true) }}{{ 0|default(5) }}",
    "{{ 'Hello World'|lower }}{{ 'hello-world foo(bar [baz <q'|title }}{{ 'hELLO wORLD'|capitalize }}{{ 'ab'|upper }}",
    "{{ '  x  '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ '\\n a\\t'|trim }}|{{ 'abc'|replace('b', 'x') }}{{ 'aaa'|replace('a', 'b', 2) }}",
    "{{ 3.0|int }}{{ '0x1A'|int(0, 16) }}{{ '12'|int(base=8) }}{{ 'ff'|int(base=16) }}{{ true|int }}{{ '42.9'|int }}{{ 'x'|int }}{{ 'x'|int(-1) }}{{ ' 7 '|int }}{{ '1_000'|int }}",
    "{{ '5'|float }}{{ 'x'|float }}{{ '1e3'|float }}{{ 5|float }}{{ ' -2.5 '|float }}{{ 'inf'|float }}{{ 'x'|float(1.5) }}",
    "{{ 1.5|round }}{{ 2.5|round }}{{ 3.5|round }}{{ -2.5|round }}{{ 2.567|round(2) }}{{ 2.5|round(0, 'floor') }}{{ 2.1|round(0, 'ceil') }}{{ 1|round }}{{ 1234.5|round(-2) }}",
    "{{ -3|abs }}{{ -3.5|abs }}{{ 3|abs }}",
    "{{ 'hello world foo'|wordcount }}{{ 'ab'|center(6) }}|{{ 'abc'|center(6) }}|{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent('> ', blank=true) }}",
    "{{ '%s and %d' % ('a', 2) }}|{{ '%5.2f|%-4s|' % (3.14159, 'x') }}|{{ '%(a)s' % {'a': 1} }}|{{ '%r' % 'q' }}|{{ '%x %o %05d %+d %%' % (255, 8, 42, 3) }}",
    "{{ '%s - %s'|format('a', 'b') }}{{ '%(x)s!'|format(x='y') }}",
    "{{ '{} {}'.format('a', 1) }}{{ '{0}{0}'.format('x') }}{{ '{n}'.format(n=2) }}{{ '{:>5}|{:<4}|{:^5}|{:05.1f}|{:,}'.format('r', 'l', 'c', 3.14159, 1234567) }}{{ '{!r}'.format('q') }}{{ '{0[a]}'.format(x) }}",
    "{{ 'x' | tojson }}{{ ['é', '\\u2028', '\\x7f', '\\x01'] | tojson }}{{ ['é'] | tojson(ensure_ascii=True) }}{{ '😀'|tojson(ensure_ascii=true) }}",
    "{{ {1: 2, none: 3, 1.5: 4, true: 5}|tojson }}{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}{{ [1, [2, 3]] | tojson(separators=(',', ':')) }}",
    "{{ 1 | tojson(indent='\\t') }}{{ {'a': [], 'b': {}, 'c': [1, {'d': none}]} | tojson(indent=2) }}{{ [1.0, 2.5e-7, 1e100, -0.0, 3] | tojson }}",
    "{{ x|tojson }}{{ msgs|tojson }}{{ 'q\"\\\\\\n\\t'|tojson }}{{ (1, 2)|tojson }}{{ true|tojson }}{{ none|tojson }}",
    "{{ [1, 'a\\nb', 1.5, none, true, {'k': 'v'}]|string }}{{ 'a\\u00a0b\\u00e9\\u2028'|string }}|{{ ['a\\u00a0b\\u00e9\\u2028\\x01\\x7f\\\\'] }}{{ [\"it's\"] }}{{ ['say \"x\"'] }}{{ ['both \\' and \"'] }}",
    "{{ 'a<b>&\"\\''|e }}{{ '<i>x</i>  y'|striptags }}{{ 'x'|safe }}{{ 'foo bar baz qux'|truncate(9) }}|{{ 'foo bar baz qux'|truncate(9, true) }}|{{ 'foo bar baz qux'|truncate(11) }}",
    "{{ 'abc'|attr('upper') is callable }}{{ x|attr('a') is defined }}{% set ns = namespace(q=1) %}{{ ns|attr('q') }}",
    "{{ lst|map('string')|join }}{{ words|map('upper')|list }}{{ ['a,b', 'c']|map('replace', ',', ';')|list }}",
    # generators and dict views: truthy even when empty, lazy errors, no len()
    "{% if []|select %}always{% endif %}|{% if []|select|list %}never{% endif %}|{% if u|map('upper') %}lazy{% endif %}",
    "{% set g = false|map(attribute='x') %}{{ g is defined }}{{ g is iterable }}{{ g is sequence }}|{{ x.keys() }}{{ x.values() }}{{ x.items() }}{{ x.keys() is sequence }}",
    "{{ lst|reverse|first }}{{ lst|select('odd')|first }}{{ people|map(attribute='name')|join(',') }}{{ [1, 2]|unique|list }}",
    "{% set g = lst|select %}{{ g|length }}", "{{ (lst|map('string'))[0] }}|", "{{ lst|select|last }}", "{{ lst|select|tojson }}",
    "{{ '' % [1] }}{{ '%(a)s' % x }}|{{ x|truncate(5) }}{{ lst|truncate(5) }}", "{{ n|truncate }}",
    "{{ i[::2] }}", "{{ x[1:] }}", "{{ n[:1] }}", "{{ [] in x }}", "{{ u|int }}", "{{ u|float }}", "{{ 5|indent }}",
    "{{ '' >= 0 is not boolean|safe }}{{ (1|safe) ~ 'x' }}{{ x|safe }}",
    "{% macro m(a) %}[{{ caller(a) }}]{% endmacro %}{% for i in lst %}{% call(v) m(i) %}<{{ v * 2 }}>{% endcall %}{% endfor %}",
    # tests
    "{{ 5 is divisibleby 2 }}{{ 4 is divisibleby(2) }}{{ none is sameas none }}{{ 3 is odd }}{{ 4 is even }}{{ 3.0 is odd }}",
    "{{ x is defined }}{{ y is undefined }}{{ n is none }}{{ t is boolean }}{{ t is true }}{{ f is false }}{{ i is integer }}{{ fl is float }}{{ i is number }}{{ t is number }}",
    "{{ s is string }}{{ x is mapping }}{{ lst is iterable }}{{ s is sequence }}{{ x is sequence }}{{ u is iterable }}{{ u is sequence }}{{ i is iterable }}{{ range is callable }}{{ s is callable }}",
    "{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ 'aB' is lower }}{{ 3 is ge 2 }}{{ 3 is in [3] }}{{ 3 is eq 3 }}{{ 3 is ne 3 }}{{ 2 is lt 3 }}{{ 2 is lessthan 1 }}{{ 'upper' is filter }}{{ 'odd' is test }}",
    "{{ x is not mapping }}{{ not x is mapping }}{{ lst is not string and lst is iterable }}{{ t is true and f is false or n is none }}",
    # string methods
    "{{ 'abc'.upper() }}{{ 'x'.startswith(('a','x')) }}{{ 'abc'.endswith('bc') }}{{ 'a-b-c'.rsplit('-', 1) }}{{ 'a-b-c'.split('-', 1) }}{{ ' a  b '.split() }}{{ ' a  b '.rsplit(None, 1) }}",
    "{{ 'ab\\ncd\\r\\nef'.splitlines() }}{{ 'ab'.count('') }}{{ 'aXbX'.count('X') }}{{ 'abc'.find('c') }}{{ 'héllo'.find('l') }}{{ 'héllo'.rfind('l') }}{{ 'abc'.index('b') }}",
    "{{ 'a b'.title() }}{{ \"they're bill's\".title() }}{{ 'aBC dEF'.capitalize() }}{{ 'aBc'.swapcase() }}{{ 'x'.center(5, '*') }}{{ '7'.zfill(3) }}{{ '-7'.zfill(4) }}",
    "{{ '  x  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ 'aab'.lstrip('a') }}|{{ 'baa'.rstrip('a') }}|{{ '\\n\\nx\\n'.strip('\\n') }}|{{ 'éaé'.strip('é') }}",
    "{{ ', '.join(['a', 'b']) }}{{ 'a=b=c'.partition('=') }}{{ 'a=b=c'.rpartition('=') }}{{ 'abc'.removeprefix('a') }}{{ 'abc'.removesuffix('c') }}{{ 'aaa'.replace('a', 'b', 2) }}{{ 'abc'.replace('', '-') }}",
    "{{ '12'.isdigit() }}{{ 'ab'.isalpha() }}{{ '  '.isspace() }}{{ 'Ab'.istitle() }}{{ 'a1'.isalnum() }}{{ ''.isdigit() }}{{ 'ABC'.isupper() }}{{ 'abc'.islower() }}",
    "{{ [1,2,1].count(1) }}{{ [1,2].index(2) }}{{ (1, 2).index(2) }}",
    "{{ range(5)|list }}{{ range(1, 5, 2)|list }}{{ range(5, 0, -2)|list }}{{ range(0)|list }}{{ range(3)|length }}",
    "{{ dict(a=1, b=2) }}{{ dict({'x': 1}, y=2) }}{{ dict([('k', 'v')]) }}",
    "{% set j = joiner('|') %}{% for i in range(3) %}{{ j() }}{{ i }}{% endfor %}",
    "{{ strftime_now('%Y') | length }}",
    # errors
    "{{ raise_exception('boom: ' ~ 1) }}",
    "{% if not msgs %}{% else %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}",
    "{{ u.x }}", "{{ x.y.z }}", "{{ u + 'a' }}", "{{ u() }}", "{{ 'a'() }}", "{{ u < 1 }}", "{{ -u }}", "{{ u[0] }}",
    "{{ 'a' + 1 }}", "{{ 1 + 'a' }}", "{{ none + 'a' }}", "{{ 'a' + none }}", "{{ [] + 'a' }}", "{{ [1,2] + (3,) }}",
    "{{ 'a' < 1 }}", "{{ none < 1 }}", "{{ [1] > 'a' }}", "{{ 1 in 'abc' }}", "{{ 1 in none }}", "{{ 1 in 5 }}",
    "{{ 1 / 0 }}", "{{ 1 // 0 }}", "{{ 1 % 0 }}", "{{ 1.0 / 0 }}", "{{ - 'a' }}", "{{ 'a' - 'b' }}", "{{ 'a' * 'b' }}",
    "{% for a, b in [[1,2,3]] %}{% endfor %}", "{% for a, b in [[1]] %}{% endfor %}", "{% for x in none %}{% endfor %}",
    "{% for x in 5 %}{% endfor %}", "{% set n.a = 1 %}", "{% set ns = namespace() %}{% set ns._p = 1 %}",
    "{{ namespace(_x=1) }}", "{{ [1].append(2) }}", "{{ {'a': 1}.update({}) }}", "{{ [1].pop() }}",
    "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(b=2) }}",
    "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}",
    "{{ range(200000)|length }}", "{{ range(1.5) }}", "{{ range(0, 5, 0) }}",
    "{{ x|items|list }}{{ 1|items }}", "{{ 5|length }}", "{{ 'abc'.index('z') }}", "{{ 'a,b'.split('') }}",
    "{{ ', '.join([1, 2]) }}", "{{ [1, 'a']|sort }}", "{{ 'x'|round }}", "{{ 1|round(0, 'up') }}",
    "{{ x|tojson(indent=n) }}{{ u|tojson }}", "{{ {'a': u}|tojson }}", "{{ namespace()|tojson }}", "{{ {(1, 2): 3}|tojson }}",
    "{{ '%d' % 'x' }}", "{{ '%s %s' % ('a',) }}", "{{ '%s' % ('a', 'b') }}", "{{ '{}'.format() }}", "{{ '{x}'.format(y=1) }}",
    "{% for x in lst %}{{ loop.cycle() }}{% endfor %}", "{{ []|batch(0) }}", "{{ lst|map()|list }}",
    # syntax errors
    "{% if %}{% endif %}", "{% for %}", "{{ (1 }}", "{{ 1 + }}", "line1\n{{ x.y( }}", "{% if true %}", "{% endif %}",
    "{% if true %}{% endfor %}", "{% for x in y %}{% endif %}", "{{ x|nosuchfilter }}", "{% if x is nosuchtest %}{% endif %}",
    "{% break %}", "{% for i in lst %}{% macro m() %}{% break %}{% endmacro %}{% endfor %}", "{% continue %}",
    "{% foo %}", "{% include 'x' %}", "{{ }}", "{{ 1 2 }}", "{% set %}", "{% set 1 = 2 %}", "{% macro m(a=1, b) %}{% endmacro %}",
    "{{ 'unterminated }}", "{# never closed", "{% raw %}never closed", "{{ x.1a }}", "{{ f(a=1, 2) }}", "{{ a is defined is defined }}",
    "{{ [1, 2 }}", "{{ {'a' 1} }}", "{{ x ! y }}", "{{ '\\x4' }}", "{% for x in lst %}{% else %}{% else %}{% endfor %}",
    "{% call m %}{% endcall %}", "{% with %}{% endwith %}{{ 1 }}", "{{ x[] }}",
]

# Whitespace control: text around tags with every delimiter variant.
PIECES = ["", " ", "  ", "\n", " \n ", "\t\n", "x", "\n\n  ", "  \n", "a \n b", "\n\t"]
OPEN_TAGS = ["{% if true %}", "{%- if true %}", "{% if true -%}", "{%+ if true %}", "{%- if true -%}",
             "{%+ if true -%}", "{% if true +%}"]
CLOSE_TAGS = ["{% endif %}", "{%- endif %}", "{% endif -%}", "{%+ endif %}", "{%- endif -%}", "{% endif +%}"]
INLINE = ["{{ 'v' }}", "{{- 'v' }}", "{{ 'v' -}}", "{{- 'v' -}}", "{# c #}", "{#- c #}", "{# c -#}", "{#+ c #}",
          "{# c +#}", "{% set q = 1 %}", "{%- set q = 1 -%}", "{%+ set q = 1 %}"]


def whitespace_cases(rng, count):
    out = []
    for _ in range(count):
        parts = [rng.choice(PIECES), rng.choice(OPEN_TAGS), rng.choice(PIECES), rng.choice(INLINE),
                 rng.choice(PIECES), rng.choice(CLOSE_TAGS), rng.choice(PIECES), rng.choice(INLINE),
                 rng.choice(PIECES)]
        if rng.random() < 0.3:
            parts.append("\n")  # a final newline, which jinja2 drops
        out.append("".join(parts))
    return out


def render(template):
    try:
        return {"text": _compile_jinja_template(template).render(**CONTEXT)}
    except Exception as e:
        return {"error": {"type": type(e).__name__, "message": str(e)}}


def main():
    rng = random.Random(20240601)
    templates = HANDWRITTEN + whitespace_cases(rng, 400)
    cases, seen = [], set()
    for i, t in enumerate(templates):
        if t in seen:
            continue
        seen.add(t)
        case = {"name": f"case_{i:03d}", "template": t}
        case.update(render(t))
        if " at 0x" in case.get("text", ""):
            continue  # prints a Python object's address (a method, a generator)
        cases.append(case)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"format": 1, "reference": {"transformers": transformers.__version__, "jinja2": jinja2.__version__},
                   "context": CONTEXT, "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases, {sum('error' in c for c in cases)} errors")


if __name__ == "__main__":
    main()
