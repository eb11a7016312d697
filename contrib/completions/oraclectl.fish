function __oraclectl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __oraclectl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __oraclectl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __oraclectl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __oraclectl_parse_tokens -S
    set -l unparsed_tokens (__oraclectl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'oraclectl'
        __oraclectl_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'price'
            __oraclectl_parse_subcommand 1 'socket=' 'json' 'h/help'
        case 'prices'
            __oraclectl_parse_subcommand 0 'socket=' 'json' 'h/help'
        case 'health'
            __oraclectl_parse_subcommand 0 'socket=' 'json' 'h/help'
        case 'reload'
            __oraclectl_parse_subcommand 0 'socket=' 'json' 'h/help'
        case 'watch'
            __oraclectl_parse_subcommand 1 'socket=' 'json' 'h/help'
        case 'accounts'
            __oraclectl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __oraclectl_parse_subcommand 0 'socket=' 'json' 'h/help'
            case 'show'
                __oraclectl_parse_subcommand 1 'socket=' 'json' 'h/help'
            case 'import'
                __oraclectl_parse_subcommand 1 'socket=' 'json' 'h/help'
            case 'put'
                __oraclectl_parse_subcommand 1 'socket=' 'json' 'h/help'
            case 'delete'
                __oraclectl_parse_subcommand 1 'socket=' 'json' 'h/help'
            end
        case 'calls'
            __oraclectl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __oraclectl_parse_subcommand 0 'state=' 'since=' 'account=' 'follow' 'interval=' 'page-size=' 'socket=' 'json' 'h/help'
            case 'ack'
                __oraclectl_parse_subcommand 1 'reason=' 'socket=' 'json' 'h/help'
            end
        case 'hold'
            __oraclectl_parse_subcommand 1 'reason=' 'socket=' 'json' 'h/help'
        case 'whatif'
            __oraclectl_parse_subcommand 0 'shock=+' 'vol-shock=+' 'socket=' 'json' 'h/help'
        case 'history'
            __oraclectl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'import'
                __oraclectl_parse_subcommand 1 'socket=' 'json' 'h/help'
            end
        case 'calibration'
            __oraclectl_parse_subcommand 0 'socket=' 'json' 'h/help'
        case 'cluster'
            __oraclectl_parse_subcommand 0 'leases' 'socket=' 'json' 'h/help'
        case 'help'
            __oraclectl_parse_subcommand -r 1 
        end
    end
end

function __oraclectl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __oraclectl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __oraclectl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __oraclectl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__oraclectl_tokens -p)
    if test -z "$(__oraclectl_tokens -t)"
        set -l index (count (__oraclectl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'oraclectl' -f
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'price' -d 'Show the current mark of one pair and why each source was used or not.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'prices' -d 'Show the current mark of every pair.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'health' -d 'Show the daemon\'s overall, per-source and per-pair health.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'reload' -d 'Ask the daemon to reload its configuration (like SIGHUP).'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'watch' -d 'Print one line per price update of a pair until interrupted (Ctrl-C).'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'accounts' -d 'List, show, import, replace or delete margin accounts.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'calls' -d 'List margin calls, page through or follow the notice history, or acknowledge a call.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'hold' -d 'Put an account on hold, with a reason for the audit trail.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'whatif' -d 'Show which accounts would breach under price and volatility shocks (relative moves, -0.2 = -20%).'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'history' -d 'Manage price history used by the portfolio model.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'calibration' -d 'Show the VaR back-test: Kupiec and Christoffersen p-values and the Basel traffic light per account.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'cluster' -d 'Show the cluster: nodes, their shards, lease ages and the last takeover.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl price" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl price" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl price" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl prices" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl prices" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl prices" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl health" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl health" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl health" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl reload" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl reload" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl watch" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl watch" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl accounts" -eq 1' -fa 'list' -d 'List all accounts with their ratio and level.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl accounts" -eq 1' -fa 'show' -d 'Show one account with its equity, requirement, ratio and level; options with σ, value and Greeks, and the option grid.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl accounts" -eq 1' -fa 'import' -d 'Import accounts from an NDJSON file (one account per line).'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl accounts" -eq 1' -fa 'put' -d 'Create or replace one account from a JSON file (its "id" names it).'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl accounts" -eq 1' -fa 'delete' -d 'Delete one account.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts list" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts list" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts show" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts show" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts import" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts import" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts put" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts put" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts put" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts delete" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts delete" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl accounts delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl calls" -eq 1' -fa 'list' -d 'List open margin calls (default), or the notice history with --state all, --since or --follow.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl calls" -eq 1' -fa 'ack' -d 'Acknowledge a margin call, with a reason.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" state' -l 'state' -d 'open: accounts in a call now; all: the notice history.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" since' -l 'since' -d 'History from this time: RFC 3339, Unix ms, or an age like 15m, 1h, 2d.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" account' -l 'account' -d 'Only this account\'s notices.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" follow' -l 'follow' -d 'After the history, print each new notice as it is recorded, until interrupted.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" interval' -l 'interval' -d 'Seconds between polls with --follow.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" page-size' -l 'page-size' -d 'Notices per request (1…1000).' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls ack" reason' -l 'reason' -d 'Why (recorded with the acknowledgement).' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls ack" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls ack" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calls ack" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl hold" reason' -l 'reason' -d 'Why (recorded with the hold).' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl hold" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl hold" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl hold" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl whatif"' -l 'shock' -d 'PAIR=MOVE, repeatable (e.g. BTC-USD=-0.2).' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl whatif"' -l 'vol-shock' -d 'UNDERLYING=MOVE, repeatable: every implied volatility of that [[vol]] underlying (or pair) × (1 + MOVE), e.g. BTC=+0.3.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl whatif" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl whatif" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl whatif" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_positional "oraclectl history" -eq 1' -fa 'import' -d 'Upload a CSV file of historical prices.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl history import" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl history import" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl history import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calibration" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calibration" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl calibration" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl cluster" leases' -l 'leases' -d 'Also list every shard\'s lease (owner, token, age, expiry).'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl cluster" socket' -l 'socket' -d 'Path of oracled\'s Unix socket.' -rfka ''
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl cluster" json' -l 'json' -d 'Print the daemon\'s JSON answer verbatim.'
complete -c 'oraclectl' -n '__oraclectl_should_offer_completions_for_flags_or_options "oraclectl cluster" h help' -s 'h' -l 'help' -d 'Show help information.'
