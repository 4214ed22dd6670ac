/**
 * Tree-sitter grammar of Coop, for editors' highlighting, folding and structure. It follows
 * grammar/coop.pest, the language's one definition, rule by rule; it is tested on every shipped
 * file (tests/tree_sitter.rs: no ERROR node in any example or pack).
 */

const commaSeparated = (rule) => seq(rule, repeat(seq(',', rule)));

const PRECEDENCE = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  membership: 5,
  add: 6,
  multiply: 7,
  of: 8,
  negate: 9,
};

module.exports = grammar({
  name: 'coop',

  extras: ($) => [/\s/, $.comment],

  word: ($) => $.identifier,

  // An item's `lot NAME` and a lot block (`lot NAME "title" { ... }`) start alike; the token after
  // the name tells them apart, as pest's `!(string | open_brace)` does.
  conflicts: ($) => [[$.item_field]],

  rules: {
    source_file: ($) =>
      repeat(
        choice(
          $.use_declaration,
          $.ledger_declaration,
          $.test_declaration,
          $.waive_declaration,
          $.definition,
          $.group,
          $.pack_header,
          $.parameter,
          $.rule_declaration,
          $.declaration,
        ),
      ),

    // `use "agencies.coop"`, `use rules us-va with distance_limit = 50 mi`
    use_declaration: ($) =>
      seq('use', choice(field('path', $.string), $.rules_source)),
    rules_source: ($) =>
      seq(
        'rules',
        choice(field('path', $.string), field('pack', $.pack_name)),
        optional(seq('as', 'warnings')),
        optional(seq('with', commaSeparated($.parameter_setting))),
      ),
    parameter_setting: ($) => seq(field('name', $.identifier), '=', $._expression),
    pack_name: (_) => /[a-z][a-z0-9_-]*/,

    // `ledger "orders.csv" { delimiter ";" date_format "%m/%d/%Y" currency USD columns { ... } }`
    ledger_declaration: ($) =>
      seq(
        'ledger',
        field('path', $.string),
        optional(seq('{', repeat($._ledger_setting), '}')),
      ),
    _ledger_setting: ($) =>
      choice(
        $.delimiter_field,
        $.date_format_field,
        $.currency_field,
        $.columns_block,
      ),
    delimiter_field: ($) => seq(field('field', 'delimiter'), $.string),
    date_format_field: ($) => seq(field('field', 'date_format'), $.string),
    currency_field: ($) => seq(field('field', 'currency'), field('currency', $.identifier)),
    columns_block: ($) => seq(field('field', 'columns'), '{', repeat($.column_mapping), '}'),
    column_mapping: ($) =>
      seq(field('name', $.identifier), '=', field('column', $.string)),

    // `kind town "A town under the state's municipal code"`: a value added to an open set.
    definition: ($) =>
      seq(
        field('kind', choice('kind', 'role')),
        field('name', $.identifier),
        field('meaning', $.string),
      ),
    // `group EU "Member states" { AT from 1995-01-01  GB from 1973-01-01 until 2020-01-31 }`
    group: ($) =>
      seq(
        'group',
        field('name', $.identifier),
        optional(field('title', $.string)),
        '{',
        repeat($.group_member),
        '}',
      ),
    group_member: ($) =>
      prec.right(
        seq(
          field('member', choice($.jurisdiction_code, $.identifier)),
          optional(seq('from', $.date)),
          optional(seq('until', $.date)),
        ),
      ),

    declaration: ($) =>
      seq(
        field('kind', choice('agency', 'solicitation', 'contract', 'access', 'order')),
        field('name', $.identifier),
        optional(field('title', $.string)),
        field('body', $.block),
      ),

    block: ($) => seq('{', repeat($._field), '}'),

    _field: ($) =>
      choice(
        $.reference_field,
        $.list_field,
        $.with_field,
        $.awards_field,
        $.buyers_field,
        $.lot_block,
        $.cap_field,
        $.base_quantity_field,
        $.quantity_option_field,
        $.discount_field,
        $.value_field,
        $.period_field,
        $.call_off_field,
        $.date_field,
        $.statement_field,
        $.location_field,
        $.posted_field,
        $.item_field,
        $.amount_field,
        $.joint_field,
        $.supplier_field,
        $.term_field,
        $.option_field,
        $.price_field,
        $.clause_field,
        $.usage_report_field,
        $.piggyback_field,
        $.open_to_field,
        $.admin_fee_field,
        $.fee_field,
        $.line_field,
        $.fact_field,
      ),

    // A field naming one thing: `kind city`, `buyer tacoma`, `jurisdiction US-WA`.
    reference_field: ($) =>
      seq(
        field(
          'field',
          choice(
            'lead',
            'method',
            'category',
            'requires',
            'agency',
            'under',
            'buyer',
            'contract',
          ),
        ),
        field('value', choice($.identifier, $.jurisdiction_code)),
      ),
    list_field: ($) =>
      seq(
        field(
          'field',
          choice('kind', 'role', 'member_of', 'covers', 'requests', 'jurisdiction', 'via', 'invited'),
        ),
        commaSeparated(field('value', choice($.identifier, $.jurisdiction_code))),
      ),
    date_field: ($) =>
      seq(
        field(
          'field',
          choice('issued', 'awarded', 'signed', 'approved', 'effective', 'expires', 'date'),
        ),
        $.date,
      ),
    posted_field: ($) => seq(field('field', 'posted'), $.date, optional('online')),
    statement_field: ($) =>
      seq(
        field('field', choice('cooperative_use', 'assignability')),
        choice('stated', 'not_stated'),
      ),
    location_field: ($) => seq(field('field', 'location'), $.number, ',', $.number),
    // A `category` right after an item is the item's, as pest reads it (greedily); so is a `lot`
    // that no title or brace follows.
    item_field: ($) =>
      seq(
        prec.right(
          seq(
            field('field', 'item'),
            field('name', $.identifier),
            optional(field('title', $.string)),
            'per',
            field('unit', $.identifier),
            optional(seq('category', field('category', $.identifier))),
          ),
        ),
        optional(seq('lot', field('lot', $.identifier))),
      ),
    // `lot stationery "Stationery" { estimate EUR 400,000 maximum EUR 600,000 }`
    lot_block: ($) =>
      seq(
        field('field', 'lot'),
        field('name', $.identifier),
        optional(field('title', $.string)),
        field('body', $.block),
      ),
    // `awards fw_2024 lot stationery`
    awards_field: ($) =>
      prec.right(
        seq(
          field('field', 'awards'),
          field('solicitation', $.identifier),
          optional(seq('lot', field('lot', $.identifier))),
        ),
      ),
    // `buyers leeds, york` or `buyers where kind in [local_authority]`
    buyers_field: ($) =>
      seq(
        field('field', 'buyers'),
        choice(seq('where', $._expression), commaSeparated(field('value', $.identifier))),
      ),
    // `with wa_des` or `with supplier "Dell"`
    with_field: ($) =>
      seq(field('field', 'with'), choice(seq('supplier', $.string), field('value', $.identifier))),
    // `cap USD 250,000.00 per buyer per year`
    cap_field: ($) =>
      prec.right(
        seq(
          field('field', 'cap'),
          $.money,
          optional(seq('per', 'buyer')),
          optional(seq('per', choice('month', 'quarter', 'year'))),
        ),
      ),
    base_quantity_field: ($) => seq(field('field', 'base_quantity'), $.quantity),
    // `quantity_option 30 bus exercised 2025-03-01 assigned_to tri_met`
    quantity_option_field: ($) =>
      prec.right(
        seq(
          field('field', 'quantity_option'),
          $.quantity,
          optional(seq('exercised', $.date)),
          optional(seq('assigned_to', field('agency', $.identifier))),
        ),
      ),
    // `discount 18% off list 2025-01-01 "Staples contract catalogue"`
    discount_field: ($) =>
      prec.right(
        seq(field('field', 'discount'), $.percentage, 'off', 'list', $.date, optional($.string)),
      ),
    value_field: ($) => seq(field('field', 'value'), $.money),
    period_field: ($) => seq(field('field', 'period'), $.date, 'to', $.date),
    // `call_off direct`, `call_off mini_competition { invited fw_a, fw_b  issued DATE }`
    call_off_field: ($) =>
      prec.right(
        seq(
          field('field', 'call_off'),
          choice(
            seq('mini_competition', optional(field('competition', $.block))),
            field('method', $.identifier),
          ),
        ),
      ),
    amount_field: ($) =>
      seq(field('field', choice('estimate', 'maximum', 'ceiling')), $._amount),
    joint_field: ($) => seq(field('field', 'joint'), '{', repeat($.participant), '}'),
    participant: ($) =>
      seq(field('agency', $.identifier), optional(seq('commits', $._amount))),
    supplier_field: ($) => seq(field('field', 'supplier'), $.string),
    term_field: ($) => seq(field('field', 'term'), $.date, 'to', $.date),
    option_field: ($) =>
      seq(field('field', 'option'), $.duration, optional(seq('exercised', $.date))),
    price_field: ($) =>
      seq(
        field('field', 'price'),
        field('item', $.identifier),
        optional(seq('from', $.quantity)),
        $.money,
        'per',
        field('unit', $.identifier),
      ),
    clause_field: ($) =>
      seq(field('field', 'clause'), field('name', $.identifier), optional($.string)),
    usage_report_field: ($) =>
      seq(field('field', 'usage_report'), $.date, 'filed', $.date),
    piggyback_field: ($) =>
      seq(field('field', 'piggyback'), choice('closed', $.block)),
    open_to_field: ($) => seq(field('field', 'open_to'), $._expression),
    admin_fee_field: ($) => seq(field('field', 'admin_fee'), $.percentage),
    fee_field: ($) =>
      seq(field('field', 'fee'), $.percentage, optional(seq('to', $.identifier))),
    line_field: ($) =>
      seq(
        field('field', 'line'),
        field('item', $.identifier),
        $.number,
        optional(field('unit', $.identifier)),
        'at',
        $.money,
        optional(seq('list', field('list', $.money))),
      ),
    // `fact board_approval 2025-03-04 "Resolution 25-14"`
    fact_field: ($) =>
      seq(
        field('field', 'fact'),
        field('name', $.identifier),
        optional(choice($.date, $.money, $.percentage, $.measured)),
        optional($.string),
      ),

    // Rules: `pack "title"`, `parameter name = value`, `rule id "title" { ... }`
    pack_header: ($) =>
      prec.right(seq('pack', field('title', $.string), optional($.in_force_field))),
    parameter: ($) =>
      seq('parameter', field('name', $.identifier), '=', field('value', $._expression)),
    rule_declaration: ($) =>
      seq(
        'rule',
        field('name', $.rule_id),
        optional(field('title', $.string)),
        '{',
        repeat($._rule_field),
        '}',
      ),
    rule_id: (_) => /[A-Za-z_]([A-Za-z0-9_]|-[A-Za-z0-9_])*/,
    _rule_field: ($) =>
      choice(
        $.cite_field,
        $.quote_field,
        $.unquoted_field,
        $.in_force_field,
        $.scope_field,
        $.require_field,
        $.oblige_field,
        $.permit_field,
        $.replaces_field,
        $.waives_field,
        $.responsible_field,
        $.precedence_field,
      ),
    cite_field: ($) => seq(field('field', 'cite'), $.string),
    // `quote "the words" "more words" from "where they were read" read 2026-12-06`
    quote_field: ($) =>
      seq(
        field('field', 'quote'),
        repeat1(field('text', $.string)),
        'from',
        field('source', $.string),
        'read',
        $.date,
      ),
    // `not quoted because "..."`
    unquoted_field: ($) => seq('not', field('field', 'quoted'), 'because', $.string),
    // `in_force 2015-07-24 to ...`
    in_force_field: ($) =>
      seq(
        field('field', 'in_force'),
        choice($.date, $.open_end),
        'to',
        choice($.date, $.open_end),
      ),
    open_end: (_) => '...',
    scope_field: ($) =>
      seq(
        field('field', 'for'),
        field(
          'kind',
          choice('order', 'line', 'contract', 'solicitation', 'agency', 'access', 'binding'),
        ),
        field('variable', $.identifier),
        optional(seq('where', $._expression)),
      ),
    require_field: ($) =>
      seq(
        field('field', 'require'),
        $._expression,
        'else',
        choice('deny', 'warn'),
        field('message', $.string),
        optional(seq('help', field('help', $.string))),
      ),
    permit_field: ($) =>
      prec.right(
        seq(
          field('field', 'permit'),
          optional(seq('when', $._expression, optional(seq('else', $.string)))),
        ),
      ),
    replaces_field: ($) => seq(field('field', 'replaces'), commaSeparated($.rule_id)),
    waives_field: ($) =>
      seq(field('field', 'waives'), commaSeparated($.rule_id), 'because', $.string),
    responsible_field: ($) =>
      seq(
        choice(
          seq(field('field', 'responsible'), choice('alone', 'jointly')),
          seq('not', field('field', 'responsible')),
        ),
        'for',
        $.string,
      ),
    precedence_field: ($) =>
      seq(
        field('field', 'precedence'),
        choice(seq('via', 'over', 'contract'), seq('contract', 'over', 'via')),
      ),
    oblige_field: ($) =>
      seq(
        field('field', 'oblige'),
        $._expression,
        choice($.pay_duty, $.report_duty, $.notify_duty),
      ),
    pay_duty: ($) => seq('pay', $._expression, 'to', $._expression),
    report_duty: ($) =>
      prec.right(
        seq(
          'report',
          'usage',
          'every',
          choice('month', 'quarter', 'year'),
          'within',
          $.duration,
          optional(seq('to', $._expression)),
        ),
      ),
    notify_duty: ($) =>
      prec.right(seq('notify', $._expression, 'within', $.duration, optional($.string))),

    // Expressions, loosest first: or; and; not; comparisons; in [...] and exists; + -; * /;
    // of (to the right); unary -.
    _expression: ($) =>
      choice(
        $.binary_expression,
        $.unary_expression,
        $.membership,
        $.exists,
        $.parenthesized,
        $.member_of_test,
        $.aggregate,
        $.call,
        $.money,
        $.date,
        $.percentage,
        $.measured,
        $.boolean,
        $.string,
        $.jurisdiction_code,
        $.path,
      ),
    binary_expression: ($) =>
      choice(
        ...[
          ['or', PRECEDENCE.or],
          ['and', PRECEDENCE.and],
          ['==', PRECEDENCE.compare],
          ['!=', PRECEDENCE.compare],
          ['<=', PRECEDENCE.compare],
          ['>=', PRECEDENCE.compare],
          ['<', PRECEDENCE.compare],
          ['>', PRECEDENCE.compare],
          ['+', PRECEDENCE.add],
          ['-', PRECEDENCE.add],
          ['*', PRECEDENCE.multiply],
          ['/', PRECEDENCE.multiply],
        ].map(([operator, precedence]) =>
          prec.left(
            precedence,
            seq(
              field('left', $._expression),
              field('operator', operator),
              field('right', $._expression),
            ),
          ),
        ),
        prec.right(
          PRECEDENCE.of,
          seq(field('left', $._expression), field('operator', 'of'), field('right', $._expression)),
        ),
      ),
    unary_expression: ($) =>
      choice(
        prec(PRECEDENCE.not, seq('not', $._expression)),
        prec(PRECEDENCE.negate, seq('-', $._expression)),
      ),
    membership: ($) =>
      prec(
        PRECEDENCE.membership,
        seq($._expression, 'in', '[', optional(commaSeparated($._expression)), ']'),
      ),
    exists: ($) => prec(PRECEDENCE.membership, seq($._expression, 'exists')),
    parenthesized: ($) => seq('(', $._expression, ')'),
    member_of_test: ($) => seq('member_of', $.identifier),
    aggregate: ($) =>
      seq(
        choice(
          seq(field('function', 'sum'), '(', $._expression, 'for'),
          seq(field('function', choice('count', 'any', 'all')), '('),
        ),
        choice(
          seq('order', field('variable', $.identifier)),
          seq(
            choice('line', 'fee', 'access'),
            field('variable', $.identifier),
            'of',
            $._expression,
          ),
        ),
        optional(seq('where', $._expression)),
        ')',
      ),
    call: ($) =>
      seq(
        field('function', $.identifier),
        '(',
        optional(commaSeparated($._expression)),
        ')',
      ),
    boolean: (_) => choice('true', 'false'),
    path: ($) =>
      prec.right(seq($.identifier, repeat(seq(token.immediate('.'), alias($.identifier, $.field_name))))),
    // `75 mi`, `4 years`, `20 truck`: a number and what it counts, on its line.
    measured: ($) =>
      prec.right(seq($.number, optional(field('unit', choice($.duration_unit, $.identifier))))),

    // Tests: `test "name" as of 2026-01-01 { expect ... }`
    test_declaration: ($) =>
      seq(
        'test',
        field('name', $.string),
        optional(seq('as', 'of', $.date)),
        '{',
        repeat($.expectation),
        '}',
      ),
    expectation: ($) =>
      seq(
        'expect',
        choice(
          $._order_expectation,
          $._agency_expectation,
          $._contract_expectation,
          $._finding_expectation,
        ),
      ),
    _order_expectation: ($) =>
      seq(
        'order',
        field('order', $.identifier),
        choice(
          seq('permitted', optional(seq('under', $.rule_id))),
          prec.right(
            seq(
              'denied',
              optional(seq('with', commaSeparated($.rule_id))),
              optional(seq('by', commaSeparated($.rule_id))),
            ),
          ),
        ),
      ),
    _agency_expectation: ($) =>
      seq(
        'agency',
        field('agency', $.identifier),
        choice(
          seq('not', 'responsible', 'on', $.identifier, optional(seq('under', $.rule_id))),
          seq('not', 'bound', 'to', $.identifier),
          seq(
            'bound',
            'by',
            'clause',
            $.identifier,
            'of',
            choice('contract', $.identifier),
            'on',
            $.identifier,
          ),
          prec.right(
            seq(
              'bound',
              'to',
              $.identifier,
              optional(
                choice(
                  seq('as', choice('lead', 'joint_participant')),
                  seq('by', 'piggyback'),
                ),
              ),
            ),
          ),
          seq('owes', $.identifier, 'on', $.identifier),
          seq(
            'responsible',
            choice('alone', 'jointly'),
            'on',
            $.identifier,
            optional(seq('under', $.rule_id)),
          ),
        ),
      ),
    _contract_expectation: ($) =>
      seq('contract', field('contract', $.identifier), 'ordered', $._amount),
    _finding_expectation: ($) =>
      seq(optional('no'), 'finding', $.rule_id, 'on', $.identifier),

    // `waive access-not-for-order on fife_2025 { because "..." by "..." until 2026-06-30 }`
    waive_declaration: ($) =>
      seq(
        'waive',
        field('finding', $.waived_finding),
        'on',
        field('name', $.identifier),
        '{',
        repeat(choice($.because_field, $.by_field, $.until_field)),
        '}',
      ),
    // A rule's id, or `PACK/RULE`.
    waived_finding: (_) => /([a-z][a-z0-9_-]*\/)?[A-Za-z_]([A-Za-z0-9_]|-[A-Za-z0-9_])*/,
    because_field: ($) => seq(field('field', 'because'), $.string),
    by_field: ($) => seq(field('field', 'by'), $.string),
    until_field: ($) => seq(field('field', 'until'), $.date),

    // Values
    _amount: ($) => choice($.money, $.quantity),
    quantity: ($) => seq($.number, $.identifier),
    duration: ($) => seq($.number, $.duration_unit),
    duration_unit: (_) =>
      choice('days', 'day', 'weeks', 'week', 'months', 'month', 'years', 'year'),

    identifier: (_) => /[A-Za-z_][A-Za-z0-9_]*/,
    jurisdiction_code: (_) => token(prec(1, /[A-Z]{2}(-[A-Za-z0-9]{1,3})?/)),
    money: (_) => token(prec(2, /[A-Z]{3} +-?[0-9]+(,[0-9]{3})*(\.[0-9]+)?/)),
    date: (_) => token(prec(1, /[0-9]{4}-[0-9]{2}-[0-9]{2}/)),
    percentage: (_) => token(prec(1, /-?[0-9]+(\.[0-9]+)?%/)),
    number: (_) => /-?[0-9]+(,[0-9]{3})*(\.[0-9]+)?/,
    string: (_) => /"([^"\\\n]|\\["\\n])*"/,
    comment: (_) => token(seq('//', /[^\n]*/)),
  },
});
