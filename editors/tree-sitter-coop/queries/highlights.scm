; Highlighting of Coop for tree-sitter editors, in helix's scope names (an editor with other names,
; such as Neovim's, falls back from `constant.numeric` to `constant`, `variable.other.member` to
; `variable`).

(comment) @comment
(string) @string
[(date) (money) (percentage) (number)] @constant.numeric
(boolean) @constant.builtin
(jurisdiction_code) @constant
(duration_unit) @type
(pack_name) @namespace
(rule_id) @function
(waived_finding) @function
(open_end) @constant.builtin

[
  "agency" "solicitation" "contract" "access" "order"
  "use" "rules" "ledger" "pack" "parameter" "rule" "test" "expect" "waive" "group" "role"
] @keyword

[
  "kind" "jurisdiction" "location" "member_of" "lead" "method" "category" "issued" "posted"
  "online" "cooperative_use" "assignability" "item" "estimate" "maximum" "joint" "commits"
  "awards" "supplier" "awarded" "term" "option" "exercised" "price" "clause" "piggyback"
  "closed" "open_to" "requires" "admin_fee" "ceiling" "with" "covers" "signed" "approved"
  "effective" "expires" "fee" "buyer" "date" "via" "line" "requests" "usage_report" "filed"
  "fact" "cite" "for" "where" "require" "else" "deny" "warn" "help" "permit" "when"
  "replaces" "waives" "because" "responsible" "alone" "jointly" "precedence" "over" "oblige"
  "pay" "report" "usage" "every" "within" "notify" "month" "quarter" "year" "stated"
  "not_stated" "per" "from" "to" "at" "as" "of" "on" "by" "under" "permitted" "denied"
  "bound" "owes" "ordered" "finding" "no" "lead" "joint_participant" "binding"
  "quote" "quoted" "read" "in_force" "warnings" "until" "lot" "buyers" "call_off"
  "mini_competition" "invited" "cap" "base_quantity" "quantity_option" "assigned_to" "discount"
  "off" "list" "value" "period" "delimiter" "date_format" "currency" "columns"
] @keyword

["and" "or" "not" "in" "exists"] @keyword.operator
["==" "!=" "<=" ">=" "<" ">" "+" "-" "*" "/" "="] @operator
["sum" "count" "any" "all"] @function.builtin
(call function: (identifier) @function)

(declaration name: (identifier) @type)
(definition name: (identifier) @type)
(group name: (identifier) @type)
(group_member member: (identifier) @type)
(waive_declaration name: (identifier) @type)
(lot_block name: (identifier) @variable.other.member)
(column_mapping name: (identifier) @variable.other.member)
(item_field name: (identifier) @variable.other.member)
(clause_field name: (identifier) @variable.other.member)
(fact_field name: (identifier) @variable.other.member)
(parameter name: (identifier) @constant)
(parameter_setting name: (identifier) @constant)
(scope_field variable: (identifier) @variable.parameter)
(aggregate variable: (identifier) @variable.parameter)
(path (field_name) @variable.other.member)
(path (identifier) @variable)

["{" "}" "(" ")" "[" "]"] @punctuation.bracket
["," "."] @punctuation.delimiter
