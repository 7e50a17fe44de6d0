package main

import (
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/parity-bench/parity"
	"github.com/parity-bench/parity/suites"
)

func (a *app) suitesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "suites",
		Short: "List the built-in benchmark suites",
		Long: `List the built-in suites with their item count, language, version, licence and
data checksum. Suites marked NC are licensed for non-commercial use only.
Pick a subset with name:subject, e.g. -s mmlu:high_school_mathematics.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all := suites.All()
			user, err := a.userSuites()
			if err != nil {
				return err
			}
			for _, s := range user {
				all = append(all, s)
			}
			infos := make([]parity.SuiteInfo, len(all))
			for i, s := range all {
				infos[i] = s.Info()
			}
			sort.SliceStable(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
			if a.jsonOut {
				return a.printJSON(infos)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SUITE\tITEMS\tLANG\tKIND\tVERSION\tLICENCE\tDATA SHA256")
			for _, in := range infos {
				lic := in.License
				if in.NonCommercial {
					lic += " (NC)"
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", in.Name, in.Items, in.Language, in.Kind, in.Version, lic, short(in.DataSHA256, 12))
			}
			return tw.Flush()
		},
	}
}

func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
