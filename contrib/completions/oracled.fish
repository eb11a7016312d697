function __oracled_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __oracled_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __oracled_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __oracled_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __oracled_parse_tokens -S
    set -l unparsed_tokens (__oracled_tokens -pc)
    switch $unparsed_tokens[1]
    case 'oracled'
        __oracled_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __oracled_parse_subcommand 0 'c/config=' 'log-level=' 'log-target=' 'record=' 'h/help'
        case 'check-config'
            __oracled_parse_subcommand 1 'strict' 'h/help'
        case 'probe'
            __oracled_parse_subcommand -r 1 'config=' 'kind=' 'body=' 'status=' 'header=+' 'json' 'price-path=' 'bid-path=' 'ask-path=' 'timestamp-path=' 'timestamp-unit=' 'error-path=' 'h/help'
        case 'backtest'
            __oracled_parse_subcommand 0 'config=' 'history=' 'accounts=' 'out=' 'h/help'
        case 'record'
            __oracled_parse_subcommand 0 'c/config=' 'out=' 'log-level=' 'h/help'
        case 'replay'
            __oracled_parse_subcommand 1 'c/config=' 'accounts=' 'out=' 'h/help'
        case 'option'
            __oracled_parse_subcommand 0 'right=' 'strike=' 'expiry=' 'forward=' 'vol=' 'at=' 'rate=' 'json' 'h/help'
        case 'help'
            __oracled_parse_subcommand -r 1 
        end
    end
end

function __oracled_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __oracled_parse_subcommand -S -a positional_count
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

function __oracled_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __oracled_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__oracled_tokens -p)
    if test -z "$(__oracled_tokens -t)"
        set -l index (count (__oracled_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'oracled' -f
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'run' -d 'Run the daemon in the foreground (systemd: Type=notify).'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'check-config' -d 'Validate an oracles.toml; exit 0 when valid, 1 with every problem listed otherwise.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'probe' -d 'Fetch one quote from a configured source, or parse a saved response body.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'backtest' -d 'Replay a price history through the margin model and level machine; write DIR/report.json and DIR/report.html.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'record' -d 'Fetch the configured venues and record every response to a tape until SIGINT/SIGTERM (no API, no margin desk).'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'replay' -d 'Replay a tape through the aggregation and the margin trigger on the tape\'s clock; rebuild its volatility surfaces; write marks, notices, vol surfaces, summary and report.html into DIR.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'option' -d 'Price a European option under Black-76 and print its Greeks, to check the daemon\'s numbers by hand.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_positional "oracled" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled run" c config' -l 'config' -s 'c' -d 'Path to oracles.toml.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled run" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error, critical.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled run" log-target' -l 'log-target' -d 'Where log lines go: journald with fields, or stderr.' -rfka 'auto journal stderr'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled run" record' -l 'record' -d 'Also record every venue response to this tape (see `oracled replay`, docs/replay.md).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled check-config" strict' -l 'strict' -d 'Exit 2 when the file is valid but has warnings (for CI and deployment checks).'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled check-config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" config' -l 'config' -d 'Path to oracles.toml (live mode).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" kind' -l 'kind' -d 'Venue kind for --body mode: binance, coinbase, kraken, bitstamp, gemini, okx, bybit, bitfinex, kucoin, htx, cryptocom, pyth, coingecko, generic.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" body' -l 'body' -d 'File holding a saved response body.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" status' -l 'status' -d 'HTTP status of the saved response.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe"' -l 'header' -d 'A response header \'Name: value\' (repeatable).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" json' -l 'json' -d 'Print JSON: {"bid","ask","last","exchange_ts_ms"} or {"error","retry_after_s"}.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" price-path' -l 'price-path' -d '--kind generic: dotted JSON path of the last price (e.g. data.0.last).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" bid-path' -l 'bid-path' -d '--kind generic: path of the best bid.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" ask-path' -l 'ask-path' -d '--kind generic: path of the best ask.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" timestamp-path' -l 'timestamp-path' -d '--kind generic: path of the venue timestamp.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" timestamp-unit' -l 'timestamp-unit' -d '--kind generic: unit of the timestamp: s, ms, us, ns, iso8601.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" error-path' -l 'error-path' -d '--kind generic: path that, when present and non-empty, means the body is an error.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled probe" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled backtest" config' -l 'config' -d 'Path to oracles.toml (its [margin] policy, pairs and collateral).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled backtest" history' -l 'history' -d 'Price history CSV: pair,timestamp,price (Unix s/ms or RFC 3339).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled backtest" accounts' -l 'accounts' -d 'Accounts, one JSON object per line (as `oraclectl accounts import`).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled backtest" out' -l 'out' -d 'Output directory (created if missing).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled backtest" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled record" c config' -l 'config' -s 'c' -d 'Path to oracles.toml (its sources and pairs).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled record" out' -l 'out' -d 'The tape to write (an existing tape is continued).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled record" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error, critical.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled record" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled replay" c config' -l 'config' -s 'c' -d 'Path to oracles.toml (its sources, pairs and [margin] settings).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled replay" accounts' -l 'accounts' -d 'Accounts, one JSON object per line (as `oraclectl accounts import`); without it no trigger runs.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled replay" out' -l 'out' -d 'Output directory (created if missing).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled replay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" right' -l 'right' -d 'call or put.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" strike' -l 'strike' -d 'Strike in USD.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" expiry' -l 'expiry' -d 'Expiry, RFC 3339 (2026-12-25T08:00:00Z) or a date (08:00 UTC that day).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" forward' -l 'forward' -d 'Forward (the oracle\'s mark) in USD.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" vol' -l 'vol' -d 'Volatility as a fraction: 0.4543 for 45.43 %.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" at' -l 'at' -d 'Valuation time, RFC 3339.' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" rate' -l 'rate' -d 'Continuously compounded rate as a fraction (default 0).' -rfka ''
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" json' -l 'json' -d 'Print one JSON object: price, delta, gamma, vega, theta, rho, years.'
complete -c 'oracled' -n '__oracled_should_offer_completions_for_flags_or_options "oracled option" h help' -s 'h' -l 'help' -d 'Show help information.'
